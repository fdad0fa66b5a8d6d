// @ts-check
/* The /v1 API as every page of the gateway calls it: with the key the user signed in with. */

const KEY = 'workgate.apiKey';

/** The API key: kept in this tab's sessionStorage only, shared by the pages of this origin. */
export const apiKey = {
  get: () => sessionStorage.getItem(KEY) || '',
  has: () => !!sessionStorage.getItem(KEY),
  /** @param {string} key */
  set: (key) => sessionStorage.setItem(KEY, key),
  forget: () => sessionStorage.removeItem(KEY),
};

/**
 * A console session (OpenID Connect sign-in): its cookie goes with every call by itself; writes
 * carry its CSRF token. Empty without one.
 */
export const consoleSession = { csrfToken: '' };

/**
 * What the API refused, as it said it: `status` (0 when the server did not answer), `code` (its
 * error code), and `unknown`, the Idempotency-Key of a write whose outcome is not known.
 */
export class ApiError extends Error {
  /**
   * @param {number} status
   * @param {{ message?: string, error?: string }} body
   * @param {string} [unknown]
   */
  constructor(status, body, unknown) {
    super(body.message || `${status}`);
    this.status = status;
    this.code = body.error;
    this.unknown = unknown;
  }
}

/**
 * What a caught error says: the API's refusal, or any other error's message.
 * @param {unknown} error
 */
export const messageOf = (error) => (error instanceof Error ? error.message : String(error));

function idempotencyKey() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return `web-${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`;
}

/**
 * An answer's JSON body (`{}` when empty) as the contract type `T` its caller names; a body that is
 * not JSON reads as its status line. The one place the pages take JSON on trust: every answer they
 * read is typed by `libs/contracts` through here.
 * @template [T=unknown]
 * @param {Response} res
 * @returns {Promise<T>}
 */
export async function answerOf(res) {
  const text = await res.text();
  try {
    // eslint-disable-next-line @typescript-eslint/no-unsafe-return -- JSON.parse: the answer the contract types
    return JSON.parse(text || '{}');
  } catch {
    // eslint-disable-next-line @typescript-eslint/no-unsafe-return -- the status line as a refusal's JSON, read like any answer
    return JSON.parse(JSON.stringify({ message: `${res.status} ${res.statusText}` }));
  }
}

/**
 * One call to the API. A write (any method but GET) sends `body` as JSON with an Idempotency-Key;
 * `retryKey` sends the key of an attempt whose outcome is not known (no answer, 504) again, so
 * pressing the button again cannot do the thing twice. Answers the response for a 2xx; throws an
 * ApiError for anything else. `nextPage.url` is set to the next page's path a list answers in its
 * Link header.
 * @param {string} method
 * @param {string} path
 * @param {{ body?: unknown, accept?: string, retryKey?: string, nextPage?: { url: string | null } }} options
 */
async function call(method, path, { body, accept = 'application/json', retryKey, nextPage }) {
  /** @type {Record<string, string>} */
  const headers = { Accept: accept };
  if (apiKey.has()) headers.Authorization = `Bearer ${apiKey.get()}`;
  if (method !== 'GET') {
    headers['Content-Type'] = 'application/json';
    headers['Idempotency-Key'] = retryKey || idempotencyKey();
    if (!apiKey.has() && consoleSession.csrfToken) headers['X-CSRF-Token'] = consoleSession.csrfToken;
  }
  let res;
  try {
    res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch {
    const message = 'The server did not answer. Try again: the same request is not done twice.';
    throw new ApiError(0, { message }, headers['Idempotency-Key']);
  }
  if (!res.ok) {
    /** @type {{ message?: string, error?: string }} */
    const refusal = await answerOf(res);
    throw new ApiError(res.status, refusal, res.status === 504 ? headers['Idempotency-Key'] : undefined);
  }
  if (nextPage) nextPage.url = /<([^>]+)>;\s*rel="next"/.exec(res.headers.get('Link') || '')?.[1] || null;
  return res;
}

/**
 * One call to the API that answers JSON (`call` above): the parsed answer.
 * @template [T=unknown] what the API answers at `path`: a type of `libs/contracts`, taken from the
 *   variable the answer is written to (`@type {WorkflowMap}` on `const map = await api(…)`)
 * @param {string} method
 * @param {string} path
 * @param {{ body?: unknown, retryKey?: string, nextPage?: { url: string | null } }} [options]
 * @returns {Promise<T>}
 */
export async function api(method, path, options = {}) {
  return answerOf(await call(method, path, options));
}

/**
 * A GET of something other than JSON (`accept`: HTML, CSV), as a Blob.
 * @param {string} path
 * @param {string} accept
 */
export async function apiBlob(path, accept) {
  return (await call('GET', path, { accept })).blob();
}

/**
 * One page of a list: its rows and the path of the next page (`Link: rel="next"`), null after the last.
 * @template R a row of the list
 * @param {string} path
 * @returns {Promise<{ rows: R[], next: string | null }>}
 */
export async function apiPage(path) {
  /** @type {{ url: string | null }} */
  const next = { url: null };
  /** @type {R[]} */
  const rows = await api('GET', path, { nextPage: next });
  return { rows, next: next.url };
}
