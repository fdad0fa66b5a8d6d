import { isWorkgateError, Reply, WireError, WorkgateError } from '@workgate/contracts';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function encodeJson(value: unknown): Uint8Array {
  return encoder.encode(JSON.stringify(value ?? null));
}

export function decodeJson<T = unknown>(bytes: Uint8Array): T {
  return (bytes.length === 0 ? undefined : JSON.parse(decoder.decode(bytes))) as T;
}

/** What a thrown value says: an error's message, or the value itself as text. */
export function errorMessage(error: unknown): string {
  if (typeof error === 'object' && error !== null && 'message' in error && typeof error.message === 'string')
    return error.message;
  return typeof error === 'string' ? error : (JSON.stringify(error) ?? String(error));
}

/** Any thrown value as a wire error. Only WorkgateErrors keep their code; anything else is `internal`. */
export function toWireError(error: unknown): WireError {
  if (isWorkgateError(error)) return error.toWire();
  return { code: 'internal', message: 'internal error' };
}

export function replyError(error: unknown): Reply<never> {
  return { ok: false, error: toWireError(error) };
}

export function unwrapReply<T>(reply: Reply<T>): T {
  if (reply.ok) return reply.data;
  throw WorkgateError.fromWire(reply.error);
}

/**
 * Whether a request's reply subject is an inbox: services answer only there. A request naming
 * another reply subject (a stream's subjects, the JetStream API) would make the service publish
 * where its caller may not, so it gets no answer.
 */
export function isInboxReply(reply: string | undefined): reply is string {
  return typeof reply === 'string' && reply.startsWith('_INBOX.');
}
