import { isPlainObject } from '@workgate/contracts';

/** An error body as the API answers it. */
const isErrorBody = (value: unknown): value is ApiRefusal['body'] =>
  isPlainObject(value) && typeof value.error === 'string' && typeof value.message === 'string';

/** An error the API answered, carried to an MCP client as a tool error with the same code. */
export class ApiRefusal extends Error {
  constructor(
    readonly status: number,
    readonly body: { error: string; message: string; details?: unknown[] },
  ) {
    super(`${body.error}: ${body.message}`);
  }
}

/** Calls workgate's own `/v1` API with the caller's key: every tool goes through the same checks as HTTP. */
export interface WorkgateApi {
  /** The answer as JSON.parse reads it (undefined for an empty body). */
  call(method: 'GET' | 'POST', path: string, body?: unknown): Promise<unknown>;
}

export function workgateApi(baseUrl: string, authorization: string, fetchImpl: typeof fetch = fetch): WorkgateApi {
  return {
    async call(method: 'GET' | 'POST', path: string, body?: unknown): Promise<unknown> {
      const res = await fetchImpl(`${baseUrl}${path}`, {
        method,
        headers: {
          Authorization: authorization,
          Accept: 'application/json',
          ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      let parsed: unknown;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        parsed = { error: 'internal', message: text.slice(0, 200) };
      }
      if (res.status >= 400)
        throw new ApiRefusal(
          res.status,
          isErrorBody(parsed) ? parsed : { error: 'internal', message: text.slice(0, 200) },
        );
      return parsed;
    },
  };
}
