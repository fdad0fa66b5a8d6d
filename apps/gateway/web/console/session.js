// @ts-check
/* Who is signed in to the console, what the page being shown has looked up, and how an action runs. */
import { answerOf, api, ApiError, consoleSession, messageOf } from '../shared/api.js';
import { $, status } from '../shared/dom.js';

/** @typedef {import('../../http/roles').Principal} Principal */
/** @typedef {import('@workgate/contracts/work-order-reads').WorkOrderHandoff} WorkOrderHandoff */
/** @typedef {import('@workgate/contracts/work-order-reads').DecisionRecord} DecisionRecord */
/** @typedef {import('@workgate/contracts/exception.events').ExceptionCode} ExceptionCode */
/**
 * GET /console/session: the sign-in provider, if any, and whether this browser has a console session.
 * @typedef {{ issuer: string | null, provider: string | null, signedIn: boolean, csrfToken?: string }} ConsoleSessionAnswer
 */

export const session = {
  /**
   * Who is signed in: `{id, roles}` from GET /v1/me.
   * @type {Principal | null}
   */
  me: null,
  /** Shows the current page again (set by the router). */
  reload: async () => {},
};

/** @type {Array<{ clear(): void }>} */
const caches = [];

/** Forgets what the last page looked up: each page shown reads afresh. */
export function freshLookups() {
  for (const cache of caches) cache.clear();
}

/**
 * What `load(key)` answers, looked up once per page shown (null when it failed).
 * @template T
 * @param {(key: string) => Promise<T>} load
 * @returns {(key: string) => Promise<T | null>}
 */
function lookup(load) {
  /** @type {Map<string, Promise<T | null>>} */
  const cache = new Map();
  caches.push(cache);
  return (key) => {
    let answer = cache.get(key);
    if (!answer) {
      answer = load(key).catch(() => null);
      cache.set(key, answer);
    }
    return answer;
  };
}
/** @type {(id: string) => Promise<WorkOrderHandoff>} */
const readHandoff = (id) => api('GET', `/v1/work-orders/${id}`);
/** @type {(id: string) => Promise<DecisionRecord[]>} */
const readDecisions = (id) => api('GET', `/v1/work-orders/${id}/decisions`);
/** @type {() => Promise<ExceptionCode[]>} */
const readCodes = () => api('GET', '/v1/exception-codes');

/** A work order's handoff (GET /v1/work-orders/:id), null when it cannot be read. */
export const handoff = lookup(readHandoff);
/** A work order's decisions (GET /v1/work-orders/:id/decisions), null when they cannot be read. */
export const decisions = lookup(readDecisions);
const codeCatalog = lookup(readCodes);
/** The exception-code catalog (GET /v1/exception-codes), null when it cannot be read. */
export const codes = () => codeCatalog('codes');

/**
 * Runs one action from a form or button, a POST of `body` to `path`: shows progress, then `done` or
 * the API's refusal, and shows the change: `update(answer)` changes the card in place where the page
 * gives one, else the page is shown again. The Idempotency-Key of a write whose outcome is unknown is
 * kept on the form, so sending it again cannot do the thing twice.
 * @template [A=unknown] what the API answers the POST
 * @param {HTMLElement} control
 * @param {string} done
 * @param {string} path
 * @param {unknown} body
 * @param {(answer: A) => void} [update]
 */
export async function act(control, done, path, body, update) {
  const holder = control.closest('form') || control;
  const buttons = holder.closest('article, form')?.querySelectorAll('button') ?? [];
  buttons.forEach((b) => (b.disabled = true));
  status('Sending…');
  try {
    /** @type {A} */
    const answer = await api('POST', path, { body, retryKey: holder.dataset.retryKey });
    delete holder.dataset.retryKey;
    status(done);
    if (update) update(answer);
    else await session.reload();
  } catch (error) {
    if (error instanceof ApiError && error.unknown) holder.dataset.retryKey = error.unknown;
    else delete holder.dataset.retryKey;
    status(messageOf(error), true);
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
  /** @type {ConsoleSessionAnswer} */
  let answer;
  try {
    const res = await fetch('/console/session', { headers: { Accept: 'application/json' } });
    if (!res.ok) return false;
    answer = await answerOf(res);
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

/**
 * Ends the console session here (`everywhere`: every console session of this person, on every
 * browser and gateway), then at the provider when it has an end-session page.
 * @param {boolean} [everywhere]
 */
export async function endSession(everywhere = false) {
  if (!consoleSession.csrfToken) return;
  const token = consoleSession.csrfToken;
  consoleSession.csrfToken = '';
  const path = everywhere ? '/console/sign-out-everywhere' : '/console/sign-out';
  const res = await fetch(path, { method: 'POST', headers: { 'X-CSRF-Token': token } }).catch(() => null);
  /** @type {{ ended?: number, endSessionUrl?: string }} POST /console/sign-out, /console/sign-out-everywhere */
  const answer = res?.ok ? await answerOf(res) : {};
  if (answer.endSessionUrl) location.assign(answer.endSessionUrl);
}
