/* workgate operations dashboard: plain browser JavaScript, no build step. It reads the same
 * view API an analyst would call (GET /v1/views/...), with the API key the user enters (kept in
 * sessionStorage only). Every chart has its table beside it; text is set with textContent only. */
'use strict';

(function () {
  const KEY = 'workgate.apiKey';
  const COLORS = [
    '#2457c5',
    '#d9822b',
    '#2e8b57',
    '#b3261e',
    '#7b5ea7',
    '#0f8b8d',
    '#c44e89',
    '#6b7a8f',
    '#a0862d',
    '#3d6b2e',
    '#8c3f3f',
    '#4f6d9a',
    '#9a4f8c',
  ];
  const charts = {};

  const $ = (selector) => document.querySelector(selector);
  const status = (text, error) => {
    const el = $('#status');
    el.textContent = text;
    el.className = error ? 'error' : 'muted';
  };

  class AuthError extends Error {}

  async function api(path, accept) {
    const res = await fetch(path, {
      headers: { Authorization: `Bearer ${sessionStorage.getItem(KEY) || ''}`, Accept: accept || 'application/json' },
    });
    if (res.status === 401 || res.status === 403)
      throw new AuthError(
        res.status === 401 ? 'That API key is not known.' : 'That API key lacks the analyst or ops-lead role.',
      );
    if (!res.ok) {
      const body = await res.json().catch(() => ({}));
      throw new Error(body.message || `${res.status} ${res.statusText}`);
    }
    return accept === 'text/csv' ? res.blob() : res.json();
  }

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

  const SECTIONS = [
    {
      id: 'trends',
      view: 'exception-trends',
      extra: () => ({ interval: $('#interval').value }),
      count: (rows) => `${number(sum(rows, 'count'))} exceptions`,
      // The chart shows each period; the table totals each code over the range, most first.
      rowsForTable: (rows) => {
        const byCode = new Map();
        for (const r of rows) byCode.set(r.code, (byCode.get(r.code) || 0) + r.count);
        const total = sum(rows, 'count');
        return [...byCode]
          .map(([code, count]) => ({ code, count, share: total ? count / total : null }))
          .sort((x, y) => y.count - x.count || (x.code < y.code ? -1 : 1));
      },
      table: [
        col('exceptions', (r) => number(r.count), { num: true, total: (rows) => number(sum(rows, 'count')) }),
        col('share', (r) => pct(r.share), { num: true, total: () => '100.0 %' }),
        col('code', (r) => r.code, { total: () => 'all codes' }),
      ],
      chart: (rows) => {
        const periods = [...new Set(rows.map((r) => r.period))].sort();
        const codes = [...new Set(rows.map((r) => r.code))].sort();
        const count = new Map(rows.map((r) => [`${r.period}|${r.code}`, r.count]));
        return {
          type: 'bar',
          data: {
            labels: periods,
            datasets: codes.map((code, i) => ({
              label: code,
              data: periods.map((p) => count.get(`${p}|${code}`) || 0),
              backgroundColor: COLORS[i % COLORS.length],
            })),
          },
          options: {
            plugins: { legend: { position: 'bottom', labels: { boxWidth: 10, font: { size: 11 } } } },
            scales: {
              x: { stacked: true },
              y: { stacked: true, beginAtZero: true, title: { display: true, text: 'exceptions' } },
            },
          },
        };
      },
    },
    {
      id: 'top-codes',
      view: 'exception-codes/top',
      extra: () => ({ limit: '10' }),
      table: [
        col('exceptions', (r) => number(r.count), { num: true }),
        col('code', (r) => r.code),
        col('owner', (r) => r.owner),
        col('work orders', (r) => number(r.workOrders), { num: true }),
        col('still open', (r) => number(r.open), { num: true }),
      ],
      chart: (rows) => ({
        type: 'bar',
        data: {
          labels: rows.map((r) => r.code),
          datasets: [{ label: 'exceptions', data: rows.map((r) => r.count), backgroundColor: COLORS[1] }],
        },
        options: { indexAxis: 'y', plugins: { legend: { display: false } }, scales: { x: { beginAtZero: true } } },
      }),
    },
    {
      id: 'stall-rates',
      view: 'stall-rates',
      table: [
        col('stall rate', (r) => pct(r.stallRate), {
          num: true,
          total: (rows) => pct(share(rows, 'stalled', 'workOrders')),
        }),
        col('job type', (r) => r.jobType, { total: () => 'all job types' }),
        col('stalled', (r) => `${number(r.stalled)} of ${number(r.workOrders)}`, {
          num: true,
          total: (rows) => `${number(sum(rows, 'stalled'))} of ${number(sum(rows, 'workOrders'))}`,
        }),
        col('stalled now', (r) => `${number(r.stalledNow)} of ${number(r.active)} active`, {
          num: true,
          total: (rows) => `${number(sum(rows, 'stalledNow'))} of ${number(sum(rows, 'active'))} active`,
        }),
      ],
      chart: (rows) => ({
        type: 'bar',
        data: {
          labels: rows.map((r) => r.jobType),
          datasets: [
            { label: 'stall rate (%)', data: rows.map((r) => percent(r.stallRate)), backgroundColor: COLORS[3] },
          ],
        },
        options: {
          plugins: { legend: { display: false } },
          scales: { y: { beginAtZero: true, max: 100, title: { display: true, text: '% stalled' } } },
        },
      }),
    },
    {
      id: 'first-time-fix',
      view: 'first-time-fix',
      table: [
        col('first-time-fix', (r) => pct(r.ratio), {
          num: true,
          total: (rows) => pct(share(rows, 'firstTimeFix', 'closed')),
        }),
        col('job type', (r) => r.jobType, { total: () => 'all job types' }),
        col('fixed first time', (r) => `${number(r.firstTimeFix)} of ${number(r.closed)} closed`, {
          num: true,
          total: (rows) => `${number(sum(rows, 'firstTimeFix'))} of ${number(sum(rows, 'closed'))} closed`,
        }),
      ],
      chart: (rows) => ({
        type: 'bar',
        data: {
          labels: rows.map((r) => r.jobType),
          datasets: [
            { label: 'first-time-fix (%)', data: rows.map((r) => percent(r.ratio)), backgroundColor: COLORS[2] },
          ],
        },
        options: {
          plugins: { legend: { display: false } },
          scales: { y: { beginAtZero: true, max: 100, title: { display: true, text: '% fixed first time' } } },
        },
      }),
    },
    {
      id: 'post-reviews',
      view: 'post-reviews',
      extra: () => ({ overdue: 'true' }),
      count: (rows) => `${number(rows.length)} overdue`,
      table: [
        col('overdue by', (r) => duration(r.overdueSeconds), { num: true }),
        col('owner', (r) => r.owner),
        workOrderCol(),
        col('job type', (r) => r.jobType),
        col('was due', (r) => day(r.dueAt), { nowrap: true }),
      ],
    },
    {
      id: 'approvals',
      view: 'approvals',
      extra: () => ({ status: 'pending' }),
      count: (rows) =>
        `${number(rows.length)} pending${rows.length ? `, oldest ${duration(Math.max(...rows.map((r) => r.ageSeconds)))}` : ''}`,
      sort: (a, b) => b.ageSeconds - a.ageSeconds,
      table: [
        col('age', (r) => duration(r.ageSeconds), { num: true }),
        col('owner', (r) => r.owner),
        workOrderCol(),
        col('job type', (r) => r.jobType),
        col('requested by', (r) => r.requestedBy),
        col('status', (r) => r.status),
      ],
    },
    {
      id: 'evidence',
      view: 'evidence-completeness',
      table: [
        col('closure evidence', (r) => pct(r.closureShare), {
          num: true,
          total: (rows) => pct(share(rows, 'closuresWithEvidence', 'closures')),
        }),
        col('job type', (r) => r.jobType, { total: () => 'all job types' }),
        col('closures', (r) => `${number(r.closuresWithEvidence)} of ${number(r.closures)}`, {
          num: true,
          total: (rows) => `${number(sum(rows, 'closuresWithEvidence'))} of ${number(sum(rows, 'closures'))}`,
        }),
        col('step evidence', (r) => pct(r.stepShare), {
          num: true,
          total: (rows) => pct(share(rows, 'stepsWithEvidence', 'stepsRequired')),
        }),
        col('steps', (r) => `${number(r.stepsWithEvidence)} of ${number(r.stepsRequired)}`, {
          num: true,
          total: (rows) => `${number(sum(rows, 'stepsWithEvidence'))} of ${number(sum(rows, 'stepsRequired'))}`,
        }),
      ],
    },
    {
      id: 'closures',
      view: 'closures',
      extra: () => ({ evidence: 'missing', limit: '200' }),
      count: (rows) => `${number(rows.length)}${rows.length >= 200 ? '+' : ''} closed without evidence`,
      table: [
        col('closed', (r) => day(r.closedAt), { nowrap: true }),
        workOrderCol(),
        col('job type', (r) => r.jobType),
        col('owner', (r) => r.owner),
      ],
    },
  ];

  /** A table column: its heading, how a row shows in it, and optionally its cell in the totals row. */
  function col(label, show, options) {
    return Object.assign({ label, show }, options || {});
  }

  /** The work order as people know it: its external ref (and source), linked to its page in the console. */
  function workOrderCol() {
    return col('work order', (r) => r.externalRef || `work order ${String(r.workOrderId).slice(0, 8)}`, {
      href: (r) => `/console#/work-orders/${encodeURIComponent(r.workOrderId)}`,
      title: (r) => (r.source ? `${r.source} · ${r.workOrderId}` : r.workOrderId),
    });
  }

  const number = (n) => (n === null || n === undefined ? '' : Number(n).toLocaleString('en-US'));
  const pct = (ratio) =>
    ratio === null || ratio === undefined ? '–' : `${(Math.round(ratio * 1000) / 10).toFixed(1)} %`;
  const sum = (rows, key) => rows.reduce((total, r) => total + (Number(r[key]) || 0), 0);
  const share = (rows, part, whole) => (sum(rows, whole) ? sum(rows, part) / sum(rows, whole) : null);
  const day = (iso) => (iso ? iso.slice(0, 10) : '');

  const UNITS = [
    ['w', 604800],
    ['d', 86400],
    ['h', 3600],
    ['min', 60],
    ['s', 1],
  ];

  /** Seconds as a person reads them: the two largest adjacent units (`3 d 4 h`, `5 h 12 min`, `40 s`). */
  function duration(seconds) {
    if (seconds === null || seconds === undefined) return '';
    let left = Math.max(0, Math.floor(seconds));
    const parts = [];
    for (const [name, size] of UNITS) {
      const n = Math.floor(left / size);
      left -= n * size;
      if (n > 0) parts.push(`${n} ${name}`);
      else if (parts.length) break;
      if (parts.length === 2) break;
    }
    return parts.join(' ') || '0 s';
  }

  const percent = (ratio) => (ratio === null || ratio === undefined ? 0 : Math.round(ratio * 1000) / 10);

  /** The section's table of `rows`; its count line (in the heading) is computed from the view's own `viewRows`. */
  function renderTable(section, rows, url, viewRows) {
    const box = $(`#${section.id} .table`);
    box.replaceChildren();
    const count = $(`#${section.id} .count`);
    if (count) count.textContent = section.count ? section.count(viewRows) : '';
    const csv = document.createElement('a');
    csv.className = 'csv';
    csv.href = url;
    csv.textContent = 'CSV';
    csv.setAttribute('aria-label', `Download ${$(`#${section.id} h2`).textContent.trim()} as CSV`);
    csv.dataset.csv = section.view;
    csv.addEventListener('click', (event) => {
      event.preventDefault();
      downloadCsv(section, url).catch((error) => status(error.message, true));
    });
    box.appendChild(csv);
    if (!rows.length) {
      const empty = document.createElement('p');
      empty.className = 'empty';
      empty.textContent = 'Nothing in this range.';
      box.appendChild(empty);
      return;
    }
    const shown = section.sort ? [...rows].sort(section.sort) : rows;
    const table = document.createElement('table');
    const head = table.createTHead().insertRow();
    for (const c of section.table) {
      const th = document.createElement('th');
      th.scope = 'col';
      th.textContent = c.label;
      if (c.num) th.className = 'num';
      head.appendChild(th);
    }
    const body = table.createTBody();
    for (const r of shown) {
      const tr = body.insertRow();
      for (const c of section.table) cell(tr, c, c.show(r), c.href && c.href(r), c.title && c.title(r));
    }
    if (section.table.some((c) => c.total) && rows.length > 1) {
      const tr = table.createTFoot().insertRow();
      for (const c of section.table) cell(tr, c, c.total ? c.total(rows) : '');
    }
    box.appendChild(table);
  }

  function cell(tr, column, text, href, title) {
    const td = tr.insertCell();
    if (column.num) td.className = 'num';
    else if (column.nowrap) td.className = 'nowrap';
    if (title) td.title = title;
    if (href) {
      const a = document.createElement('a');
      a.href = href;
      a.textContent = text;
      td.appendChild(a);
    } else {
      td.textContent = text === null || text === undefined ? '' : String(text);
    }
  }

  async function downloadCsv(section, url) {
    const blob = await api(url, 'text/csv');
    const a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    a.download = `workgate-${section.view.replace('/', '-')}.csv`;
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), 10000);
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
          const rows = await api(url);
          renderTable(section, section.rowsForTable ? section.rowsForTable(rows) : rows, url, rows);
          if (section.chart) renderChart(section, rows);
        }),
      );
      document.body.dataset.state = 'ready';
      status(`Views as of ${asOf.slice(0, 19).replace('T', ' ')} UTC.`);
    } catch (error) {
      document.body.dataset.state = error instanceof AuthError ? 'locked' : 'error';
      status(error.message, true);
    }
  }

  async function loadJobTypes() {
    const select = $('#job-type');
    const chosen = select.value;
    const workflows = await api('/v1/workflows');
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
      sessionStorage.setItem(KEY, $('#api-key').value.trim());
      $('#api-key').value = '';
      void unlock();
    });
    $('#forget-key').addEventListener('click', () => {
      sessionStorage.removeItem(KEY);
      document.body.dataset.state = 'locked';
      status('Key forgotten. Enter an API key with the analyst or ops-lead role.');
    });
    $('#filters').addEventListener('submit', (event) => {
      event.preventDefault();
      void refresh();
    });
    if (sessionStorage.getItem(KEY)) void unlock();
  });
})();
