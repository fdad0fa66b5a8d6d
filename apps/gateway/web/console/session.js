/* Who is signed in to the console, what the page being shown has looked up, and how an action runs. */
import { api, consoleSession } from '../shared/api.js';
import { $, status } from '../shared/dom.js';

export const session = {
  /** Who is signed in: `{id, roles}` from GET /v1/me. */
  me: null,
  /** Shows the current page again (set by the router). */
  reload: async () => {},
};

let cache = new Map();

/** Forgets what the last page looked up: each page shown reads afresh. */
export function freshLookups() {
  cache = new Map();
}

const once = (key, load) => {
  if (!cache.has(key))
    cache.set(
      key,
      load().catch(() => null),
    );
  return cache.get(key);
};
export const handoff = (id) => once(`wo:${id}`, () => api('GET', `/v1/work-orders/${id}`));
export const decisions = (id) => once(`decisions:${id}`, () => api('GET', `/v1/work-orders/${id}/decisions`));
export const codes = () => once('codes', () => api('GET', '/v1/exception-codes'));

/**
 * Runs one action from a form or button, a POST of `body` to `path`: shows progress, then `done` or
 * the API's refusal, and shows the change: `update(answer)` changes the card in place where the page
 * gives one, else the page is shown again. The Idempotency-Key of a write whose outcome is unknown is
 * kept on the form, so sending it again cannot do the thing twice.
 */
export async function act(control, done, path, body, update) {
  const holder = control.closest('form') || control;
  const buttons = holder.closest('article, form')?.querySelectorAll('button') ?? [];
  buttons.forEach((b) => (b.disabled = true));
  status('Sending…');
  try {
    const answer = await api('POST', path, { body, retryKey: holder.dataset.retryKey });
    delete holder.dataset.retryKey;
    status(done);
    if (update) update(answer);
    else await session.reload();
  } catch (error) {
    if (error.unknown) holder.dataset.retryKey = error.unknown;
    else delete holder.dataset.retryKey;
    status(error.message, true);
  } finally {
    buttons.forEach((b) => (b.disabled = false));
  }
}

/**
 * Sign-in with the organisation's OpenID provider, where workgate has one: shows its button, and
 * answers whether this browser has a console session (its cookie is HttpOnly: only the server
 * can tell). Without a provider (`issuer: null`) only the API key signs in.
 */
export async function resumeSession() {
  let answer;
  try {
    const res = await fetch('/console/session', { headers: { Accept: 'application/json' } });
    if (!res.ok) return false;
    answer = await res.json();
  } catch {
    return false;
  }
  if (!answer.issuer) return false;
  $('#oidc-issuer').textContent = answer.provider || answer.issuer;
  $('#oidc-link').title = answer.issuer;
  $('#oidc-sign-in').hidden = false;
  consoleSession.csrfToken = answer.csrfToken || '';
  return answer.signedIn === true;
}

/** Ends the console session here, then at the provider when it has an end-session page. */
export async function endSession() {
  if (!consoleSession.csrfToken) return;
  const token = consoleSession.csrfToken;
  consoleSession.csrfToken = '';
  const res = await fetch('/console/sign-out', { method: 'POST', headers: { 'X-CSRF-Token': token } }).catch(
    () => null,
  );
  const answer = res?.ok ? await res.json() : {};
  if (answer.endSessionUrl) location.assign(answer.endSessionUrl);
}
