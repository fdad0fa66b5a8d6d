// @ts-check
/* workgate console: plain browser JavaScript modules, no build step. Every read and every action is
 * a call to the /v1 API with the key the user signs in with (kept in sessionStorage, for this tab
 * only); what the API refuses is shown as the API said it. Text is set as text only. This module
 * signs in and out and shows the page the address names; each page is a module of its own. */
import { api, ApiError, apiKey, consoleSession, messageOf } from '../shared/api.js';
import { $, $as, fieldOf, status } from '../shared/dom.js';
import { showApprovals } from './approvals.js';
import { showExceptions } from './exceptions.js';
import { enc } from './parts.js';
import { showPostReviews } from './post-reviews.js';
import { showReceipt } from './receipt.js';
import { showReview } from './review.js';
import { endSession, freshLookups, resumeSession, session } from './session.js';
import { showWorkOrder, showWorkOrders } from './work-orders.js';
import { showWorkflows } from './workflows.js';

/** @typedef {import('../../http/roles').Principal} Principal */
/** @typedef {import('@workgate/contracts/policy').WorkflowSummary} WorkflowSummary */

/** Where a sign-in without a page in the address lands: the work the caller's roles can do. */
function landing() {
  const roles = session.me?.roles ?? [];
  if (roles.includes('approver') || roles.includes('ops-lead')) return 'approvals';
  if (roles.includes('operator')) return 'exceptions';
  return 'work-orders';
}

/** `#/page/arg?query` → the page to show. */
function parseHash() {
  const [path, query] = (location.hash.replace(/^#\/?/, '') || landing()).split('?');
  const [page, arg] = path.split('/');
  return { page, arg, params: new URLSearchParams(query || '') };
}

let showing = 0;
/**
 * Shows the page the address names; after an action, keeps the action's word on the status line.
 * @param {boolean} [afterAction]
 */
async function route(afterAction) {
  if (!session.me) return;
  const { page, arg, params } = parseHash();
  /** @type {Record<string, () => Promise<string>>} */
  const pages = {
    approvals: () => showApprovals(params),
    'work-orders': () => (arg ? showWorkOrder(arg) : showWorkOrders(params)),
    receipts: () => showReceipt(arg),
    'post-reviews': () => showPostReviews(params),
    exceptions: () => showExceptions(params),
    workflows: () => showWorkflows(arg && decodeURIComponent(arg), params),
    review: () => showReview(decodeURIComponent(arg || ''), params),
  };
  const show = pages[page] || pages.approvals;
  const section =
    page === 'work-orders' && arg ? 'work-order' : page === 'receipts' ? 'receipt' : pages[page] ? page : 'approvals';
  for (const s of document.querySelectorAll('main section'))
    if (s instanceof HTMLElement) s.hidden = s.dataset.page !== section;
  for (const a of document.querySelectorAll('nav a[data-page]')) {
    if (!(a instanceof HTMLElement)) continue;
    if (a.dataset.page === (section === 'work-order' ? 'work-orders' : section)) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  if (section !== 'work-order')
    document.title = `${document.querySelector(`#page-${section} h2`)?.textContent || 'console'} — workgate console`;
  const mine = ++showing;
  freshLookups();
  document.body.dataset.state = 'loading';
  try {
    const summary = await show();
    if (mine !== showing) return;
    document.body.dataset.state = 'ready';
    if (!afterAction) status(summary);
  } catch (error) {
    if (mine !== showing) return;
    document.body.dataset.state = 'ready';
    status(messageOf(error), true);
  }
}

session.reload = () => route(true);

/** @type {() => Promise<WorkflowSummary[]>} */
const readWorkflows = () => api('GET', '/v1/workflows');

async function signIn() {
  // Signing in shows the loading state at once, never the sign-in prompt again.
  document.body.dataset.state = 'loading';
  status('Signing in…');
  /** @type {Principal} */
  let me;
  try {
    me = await api('GET', '/v1/me');
  } catch (error) {
    session.me = null;
    apiKey.forget();
    document.body.dataset.state = 'signed-out';
    status(error instanceof ApiError && error.status === 401 ? 'That API key is not known.' : messageOf(error), true);
    return;
  }
  session.me = me;
  $('#who').textContent = `Signed in as ${me.id} (${me.roles.join(', ')})`;
  // Only a person signed in through the provider has console sessions to end elsewhere.
  $('#sign-out-everywhere').hidden = !consoleSession.csrfToken;
  // The page first: the work-order search's job types are read after it shows.
  await route();
  const workflows = await readWorkflows().catch(() => []);
  const select = $('#wo-job-type');
  select.replaceChildren(
    new Option('any', ''),
    ...[...new Set(workflows.map((w) => w.jobType))].sort().map((j) => new Option(j, j)),
  );
}

/** @param {boolean} [everywhere] every console session of this person, on every browser */
function signOut(everywhere = false) {
  void endSession(everywhere);
  $('#sign-out-everywhere').hidden = true;
  apiKey.forget();
  session.me = null;
  $('#who').textContent = '';
  for (const id of [
    '#approvals-list',
    '#work-orders-list',
    '#work-order',
    '#receipt',
    '#post-reviews-list',
    '#exceptions-list',
    '#workflows',
    '#review',
  ])
    $(id).replaceChildren();
  document.body.dataset.state = 'signed-out';
  status(
    everywhere ? 'Signed out on every browser. Sign in again to go on.' : 'Signed out. Sign in with your API key.',
  );
  $as('#api-key', HTMLInputElement).focus();
}

document.addEventListener('DOMContentLoaded', () => {
  $('#sign-in').addEventListener('submit', (event) => {
    event.preventDefault();
    const key = $as('#api-key', HTMLInputElement);
    apiKey.set(key.value.trim());
    key.value = '';
    void signIn();
  });
  $('#sign-out').addEventListener('click', () => signOut());
  $('#sign-out-everywhere').addEventListener('click', () => signOut(true));
  $('#work-order-search').addEventListener('submit', (event) => {
    event.preventDefault();
    const p = new URLSearchParams();
    for (const [k, v] of new FormData($as('#work-order-search', HTMLFormElement)))
      if (typeof v === 'string' && v.trim()) p.set(k, v.trim());
    const hash = `#/work-orders?${p}`;
    if (location.hash === hash) void route();
    else location.hash = hash;
  });
  $('#exception-filter').addEventListener('submit', (event) => {
    event.preventDefault();
    const owner = $as('#exception-owner', HTMLSelectElement).value;
    const hash = owner ? `#/exceptions?owner=${enc(owner)}` : '#/exceptions';
    if (location.hash === hash) void route();
    else location.hash = hash;
  });
  $('#workflow-pick').addEventListener('submit', (event) => {
    event.preventDefault();
    const form = $as('#workflow-pick', HTMLFormElement);
    const p = new URLSearchParams({ version: fieldOf(form, 'version', HTMLSelectElement).value });
    for (const k of ['from', 'to']) {
      const value = fieldOf(form, k, HTMLInputElement).value;
      if (value) p.set(k, value);
    }
    const hash = `#/workflows/${enc(fieldOf(form, 'jobType', HTMLSelectElement).value)}?${p}`;
    if (location.hash === hash) void route();
    else location.hash = hash;
  });
  for (const b of document.querySelectorAll('[data-refresh]')) b.addEventListener('click', () => void route());
  window.addEventListener('hashchange', () => void route());
  if (apiKey.has()) void signIn();
  else
    void resumeSession().then((signedIn) => {
      if (signedIn) void signIn();
    });
});
