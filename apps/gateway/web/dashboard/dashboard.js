// @ts-check
/* workgate operations dashboard: plain browser JavaScript modules, no build step. It reads the same
 * view API an analyst would call (GET /v1/views/...), with the API key the user enters (kept in
 * sessionStorage only). Every chart has its table beside it; text is set as text only. */
import { api, ApiError, apiBlob, apiKey, messageOf } from '../shared/api.js';
import { $, $as, download, h, status } from '../shared/dom.js';
import { table } from '../shared/table.js';
import { showDepartments } from './departments.js';
import { SECTIONS } from './sections.js';

/** @typedef {import('./sections.js').Section} Section */
/** @typedef {import('@workgate/contracts/views').ViewRow} ViewRow */
/** @typedef {import('@workgate/contracts/policy').WorkflowSummary} WorkflowSummary */

/** @type {Map<string, import('chart.js').Chart>} */
const charts = new Map();

/**
 * A refusal of the key, said in the dashboard's words; any other error as it is.
 * @param {unknown} error
 */
function explained(error) {
  if (error instanceof ApiError && error.status === 401) error.message = 'That API key is not known.';
  if (error instanceof ApiError && error.status === 403)
    error.message = 'That API key lacks the analyst or ops-lead role.';
  return error;
}

/**
 * A view (or any /v1 read); a refused key is said in the dashboard's words.
 * @template T
 * @param {string} path
 * @returns {Promise<T>}
 */
async function read(path) {
  try {
    return await api('GET', path);
  } catch (error) {
    throw explained(error);
  }
}

/** @param {unknown} error */
const refused = (error) => error instanceof ApiError && (error.status === 401 || error.status === 403);

/** The instant every view of one refresh is measured at (overdue, stalled, age). */
let asOf = new Date().toISOString();

/** The filters as view query parameters: dates are whole UTC days, `to` inclusive. */
function filters() {
  const p = new URLSearchParams();
  p.set('asOf', asOf);
  const from = $as('#from', HTMLInputElement).value;
  const to = $as('#to', HTMLInputElement).value;
  const jobType = $as('#job-type', HTMLSelectElement).value;
  if (from) p.set('from', `${from}T00:00:00Z`);
  if (to) p.set('to', new Date(Date.parse(`${to}T00:00:00Z`) + 86400000).toISOString());
  if (jobType) p.set('jobType', jobType);
  return p;
}

/**
 * @param {string} view
 * @param {Record<string, string>} [extra]
 */
function viewUrl(view, extra) {
  const p = filters();
  for (const [k, v] of Object.entries(extra || {})) p.set(k, v);
  return `/v1/views/${view}?${p}`;
}

/**
 * The section's table of `rows`; its count line (in the heading) is computed from the view's own `viewRows`.
 * @param {Section} section
 * @param {ViewRow[]} rows
 * @param {string} url
 * @param {ViewRow[]} viewRows
 */
function renderTable(section, rows, url, viewRows) {
  const box = $(`#${section.id} .table`);
  const count = document.querySelector(`#${section.id} .count`);
  if (count) count.textContent = section.count ? section.count(viewRows) : '';
  const csv = h('a', {
    class: 'csv',
    href: url,
    'aria-label': `Download ${($(`#${section.id} h2`).textContent ?? '').trim()} as CSV`,
    'data-csv': section.view,
    text: 'CSV',
    onclick: (event) => {
      event.preventDefault();
      downloadCsv(url, `workgate-${section.view.replace('/', '-')}.csv`).catch((error) =>
        status(messageOf(error), true),
      );
    },
  });
  if (!rows.length) {
    box.replaceChildren(csv, h('p', { class: 'empty', text: 'Nothing in this range.' }));
    return;
  }
  box.replaceChildren(csv, table(section.table, section.sort ? [...rows].sort(section.sort) : rows));
}

/**
 * @param {string} url
 * @param {string} name
 */
async function downloadCsv(url, name) {
  const csv = await apiBlob(url, 'text/csv').catch((error) => {
    throw explained(error);
  });
  download(csv, name);
}

/**
 * @param {Section} section
 * @param {ViewRow[]} rows
 */
function renderChart(section, rows) {
  if (!section.chart) return;
  const canvas = $as(`#${section.id}-chart`, HTMLCanvasElement);
  const config = section.chart(rows);
  config.options = { animation: false, responsive: true, maintainAspectRatio: false, ...config.options };
  charts.get(section.id)?.destroy();
  charts.set(section.id, new window.Chart(canvas, config));
}

async function refresh() {
  document.body.dataset.state = 'loading';
  status('Loading…');
  asOf = new Date().toISOString();
  try {
    const csv = (/** @type {string} */ url, /** @type {string} */ name) =>
      downloadCsv(url, name).catch((error) => status(messageOf(error), true));
    await Promise.all([
      showDepartments(filters(), read, csv),
      ...SECTIONS.map(async (section) => {
        const url = viewUrl(section.view, section.extra ? section.extra() : {});
        /** @type {ViewRow[]} */
        const rows = await read(url);
        renderTable(section, section.rowsForTable ? section.rowsForTable(rows) : rows, url, rows);
        if (section.chart) renderChart(section, rows);
      }),
    ]);
    document.body.dataset.state = 'ready';
    status(`Views as of ${asOf.slice(0, 19).replace('T', ' ')} UTC.`);
  } catch (error) {
    document.body.dataset.state = refused(error) ? 'locked' : 'error';
    status(messageOf(error), true);
  }
}

async function loadJobTypes() {
  const select = $as('#job-type', HTMLSelectElement);
  const chosen = select.value;
  /** @type {WorkflowSummary[]} */
  const workflows = await read('/v1/workflows');
  select.replaceChildren(new Option('all job types', ''));
  for (const jobType of [...new Set(workflows.map((w) => w.jobType))].sort())
    select.appendChild(new Option(jobType, jobType));
  select.value = chosen;
}

async function unlock() {
  try {
    await loadJobTypes();
    await refresh();
  } catch (error) {
    document.body.dataset.state = 'locked';
    status(messageOf(error), true);
  }
}

document.addEventListener('DOMContentLoaded', () => {
  const today = new Date();
  $as('#to', HTMLInputElement).value = today.toISOString().slice(0, 10);
  $as('#from', HTMLInputElement).value = new Date(today.getTime() - 30 * 86400000).toISOString().slice(0, 10);
  $('#key-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const key = $as('#api-key', HTMLInputElement);
    apiKey.set(key.value.trim());
    key.value = '';
    void unlock();
  });
  $('#forget-key').addEventListener('click', () => {
    apiKey.forget();
    document.body.dataset.state = 'locked';
    status('Key forgotten. Enter an API key with the analyst or ops-lead role.');
  });
  $('#compare-by').addEventListener('change', () => void refresh());
  $('#filters').addEventListener('submit', (event) => {
    event.preventDefault();
    void refresh();
  });
  if (apiKey.has()) void unlock();
});
