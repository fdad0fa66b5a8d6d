import type { Duplex } from 'node:stream';
import { ErrorCode, ErrorCodes } from '@workgate/contracts';
import type { ErrorBody } from './error.filter';

/** Node's own parse errors and the code each answers with. */
const PARSE_ERRORS: Record<string, { code: ErrorCode; message: string }> = {
  HPE_HEADER_OVERFLOW: { code: 'headers_too_large', message: 'the request headers are larger than 16 KiB' },
};
const MALFORMED = { code: 'bad_request', message: 'the request is not valid HTTP/1.1' } as const;

/** The raw HTTP/1.1 answer for an error Node met before any route saw the request. */
export function clientErrorAnswer(errorCode: string | undefined): string {
  const { code, message } = (errorCode && PARSE_ERRORS[errorCode]) || MALFORMED;
  const status = ErrorCodes[code];
  const body = JSON.stringify({ error: code, message } satisfies ErrorBody);
  const reason = code === 'headers_too_large' ? 'Request Header Fields Too Large' : 'Bad Request';
  return `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`;
}

/**
 * Requests Node refuses while parsing (headers over its 16 KiB limit, malformed request lines)
 * never reach a route. They answer in the API's error body like every other refusal, and the
 * connection is closed (the HTTP server's `clientErrorHandler`).
 */
export function answerClientError(error: Error & { code?: string }, socket: Duplex): void {
  // A reset or timed-out connection has no one left to answer.
  if (error.code === 'ECONNRESET' || error.code === 'ERR_HTTP_REQUEST_TIMEOUT' || !socket.writable) {
    socket.destroy();
    return;
  }
  socket.end(clientErrorAnswer(error.code));
}
