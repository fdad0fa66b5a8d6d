/* The /v1 API as every page of the gateway calls it: with the key the user signed in with. */

const KEY = 'workgate.apiKey';

/** The API key: kept in this tab's sessionStorage only, shared by the pages of this origin. */
export const apiKey = {
  get: () => sessionStorage.getItem(KEY) || '',
  has: () => !!sessionStorage.getItem(KEY),
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
  constructor(status, body, unknown) {
    super(body.message || `${status}`);
    this.status = status;
    this.code = body.error;
    this.unknown = unknown;
  }
}

function idempotencyKey() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return `web-${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`;
}

/** The answer's JSON body (`{}` when empty); a body that is not JSON reads as its status line. */
async function json(res) {
  const text = await res.text();
  try {
    return text ? JSON.parse(text) : {};
  } catch {
    return { message: `${res.status} ${res.statusText}` };
  }
}

/**
 * One call to the API. A write (any method but GET) sends `body` as JSON with an Idempotency-Key;
 * `retryKey` sends the key of an attempt whose outcome is unknown (no answer, 504) again, so
 * pressing the button again cannot do the thing twice. Answers the parsed JSON, or a Blob when
 * `accept` asks for something else (CSV, HTML); throws an ApiError for anything but a 2xx. `nextPage.url`
 * is set to the next page's path a list answers in its Link header.
 */
export async function api(method, path, { body, accept = 'application/json', retryKey, nextPage } = {}) {
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
    throw new ApiError(res.status, await json(res), res.status === 504 ? headers['Idempotency-Key'] : undefined);
  }
  if (nextPage) nextPage.url = /<([^>]+)>;\s*rel="next"/.exec(res.headers.get('Link') || '')?.[1] || null;
  return accept === 'application/json' ? json(res) : res.blob();
}

/** One page of a list: its rows and the path of the next page (`Link: rel="next"`), null after the last. */
export async function apiPage(path) {
  const next = { url: null };
  const rows = await api('GET', path, { nextPage: next });
  return { rows, next: next.url };
}
