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
  call<T = any>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T>;
}

export function workgateApi(baseUrl: string, authorization: string, fetchImpl: typeof fetch = fetch): WorkgateApi {
  return {
    async call<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
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
      if (res.status >= 400) throw new ApiRefusal(res.status, parsed as ApiRefusal['body']);
      return parsed as T;
    },
  };
}
