/* workgate operations dashboard: plain browser JavaScript modules, no build step. It reads the same
 * view API an analyst would call (GET /v1/views/...), with the API key the user enters (kept in
 * sessionStorage only). Every chart has its table beside it; text is set as text only. */
import { api, apiKey } from '../shared/api.js';
import { $, download, h, status } from '../shared/dom.js';
import { table } from '../shared/table.js';
import { SECTIONS } from './sections.js';

const charts = {};

/** A view (or any /v1 read); a refused key is said in the dashboard's words. */
async function read(path, accept) {
  try {
    return await api('GET', path, { accept });
  } catch (error) {
    if (error.status === 401) error.message = 'That API key is not known.';
    if (error.status === 403) error.message = 'That API key lacks the analyst or ops-lead role.';
    throw error;
  }
}

const refused = (error) => error.status === 401 || error.status === 403;

/** The instant every view of one refresh is measured at (overdue, stalled, age). */
let asOf = new Date().toISOString();

/** The filters as view query parameters: dates are whole UTC days, `to` inclusive. */
function filters() {
  const p = new URLSearchParams();
  p.set('asOf', asOf);
  const from = $('#from').value;
  const to = $('#to').value;
  if (from) p.set('from', `${from}T00:00:00Z`);
  if (to) p.set('to', new Date(Date.parse(`${to}T00:00:00Z`) + 86400000).toISOString());
  if ($('#job-type').value) p.set('jobType', $('#job-type').value);
  return p;
}

function viewUrl(view, extra) {
  const p = filters();
  for (const [k, v] of Object.entries(extra || {})) p.set(k, v);
  return `/v1/views/${view}?${p}`;
}

/** The section's table of `rows`; its count line (in the heading) is computed from the view's own `viewRows`. */
function renderTable(section, rows, url, viewRows) {
  const box = $(`#${section.id} .table`);
  const count = $(`#${section.id} .count`);
  if (count) count.textContent = section.count ? section.count(viewRows) : '';
  const csv = h('a', {
    class: 'csv',
    href: url,
    'aria-label': `Download ${$(`#${section.id} h2`).textContent.trim()} as CSV`,
    'data-csv': section.view,
    text: 'CSV',
    onclick: (event) => {
      event.preventDefault();
      downloadCsv(section, url).catch((error) => status(error.message, true));
    },
  });
  if (!rows.length) {
    box.replaceChildren(csv, h('p', { class: 'empty', text: 'Nothing in this range.' }));
    return;
  }
  box.replaceChildren(csv, table(section.table, section.sort ? [...rows].sort(section.sort) : rows));
}

async function downloadCsv(section, url) {
  download(await read(url, 'text/csv'), `workgate-${section.view.replace('/', '-')}.csv`);
}

function renderChart(section, rows) {
  const canvas = $(`#${section.id}-chart`);
  const config = section.chart(rows);
  config.options = Object.assign({ animation: false, responsive: true, maintainAspectRatio: false }, config.options);
  if (charts[section.id]) charts[section.id].destroy();
  charts[section.id] = new window.Chart(canvas, config);
}

async function refresh() {
  document.body.dataset.state = 'loading';
  status('Loading…');
  asOf = new Date().toISOString();
  try {
    await Promise.all(
      SECTIONS.map(async (section) => {
        const url = viewUrl(section.view, section.extra ? section.extra() : {});
        const rows = await read(url);
        renderTable(section, section.rowsForTable ? section.rowsForTable(rows) : rows, url, rows);
        if (section.chart) renderChart(section, rows);
      }),
    );
    document.body.dataset.state = 'ready';
    status(`Views as of ${asOf.slice(0, 19).replace('T', ' ')} UTC.`);
  } catch (error) {
    document.body.dataset.state = refused(error) ? 'locked' : 'error';
    status(error.message, true);
  }
}

async function loadJobTypes() {
  const select = $('#job-type');
  const chosen = select.value;
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
    status(error.message, true);
  }
}

document.addEventListener('DOMContentLoaded', () => {
  const today = new Date();
  $('#to').value = today.toISOString().slice(0, 10);
  $('#from').value = new Date(today.getTime() - 30 * 86400000).toISOString().slice(0, 10);
  $('#key-form').addEventListener('submit', (event) => {
    event.preventDefault();
    apiKey.set($('#api-key').value.trim());
    $('#api-key').value = '';
    void unlock();
  });
  $('#forget-key').addEventListener('click', () => {
    apiKey.forget();
    document.body.dataset.state = 'locked';
    status('Key forgotten. Enter an API key with the analyst or ops-lead role.');
  });
  $('#filters').addEventListener('submit', (event) => {
    event.preventDefault();
    void refresh();
  });
  if (apiKey.has()) void unlock();
});
