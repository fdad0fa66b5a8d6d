/* workgate operations dashboard: plain browser JavaScript, no build step. It reads the same
 * view API an analyst would call (GET /v1/views/...), with the API key the user enters (kept in
 * sessionStorage only). Every chart has its table beside it; text is set with textContent only. */
'use strict';

(function () {
  const KEY = 'workgate.apiKey';
  const COLORS = ['#2457c5', '#d9822b', '#2e8b57', '#b3261e', '#7b5ea7', '#0f8b8d', '#c44e89', '#6b7a8f', '#a0862d', '#3d6b2e', '#8c3f3f', '#4f6d9a', '#9a4f8c'];
  const charts = {};

  const $ = (selector) => document.querySelector(selector);
  const status = (text, error) => {
    const el = $('#status');
    el.textContent = text;
    el.className = error ? 'error' : 'muted';
  };

  class AuthError extends Error {}

  async function api(path, accept) {
    const res = await fetch(path, { headers: { Authorization: `Bearer ${sessionStorage.getItem(KEY) || ''}`, Accept: accept || 'application/json' } });
    if (res.status === 401 || res.status === 403) throw new AuthError(res.status === 401 ? 'That API key is not known.' : 'That API key lacks the analyst or ops-lead role.');
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
      columns: ['period', 'code', 'count'],
      chart: (rows) => {
        const periods = [...new Set(rows.map((r) => r.period))].sort();
        const codes = [...new Set(rows.map((r) => r.code))].sort();
        const count = new Map(rows.map((r) => [`${r.period}|${r.code}`, r.count]));
        return {
          type: 'bar',
          data: { labels: periods, datasets: codes.map((code, i) => ({ label: code, data: periods.map((p) => count.get(`${p}|${code}`) || 0), backgroundColor: COLORS[i % COLORS.length] })) },
          options: {
            plugins: { legend: { position: 'right', labels: { boxWidth: 10, font: { size: 10 } } } },
            scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, title: { display: true, text: 'exceptions' } } },
          },
        };
      },
    },
    {
      id: 'top-codes',
      view: 'exception-codes/top',
      extra: () => ({ limit: '10' }),
      columns: ['code', 'count', 'workOrders', 'owner', 'openRemediations', 'open'],
      chart: (rows) => ({
        type: 'bar',
        data: { labels: rows.map((r) => r.code), datasets: [{ label: 'exceptions', data: rows.map((r) => r.count), backgroundColor: COLORS[1] }] },
        options: { indexAxis: 'y', plugins: { legend: { display: false } }, scales: { x: { beginAtZero: true } } },
      }),
    },
    {
      id: 'stall-rates',
      view: 'stall-rates',
      columns: ['jobType', 'workOrders', 'stalled', 'stallRate', 'stalledNow', 'active'],
      chart: (rows) => ({
        type: 'bar',
        data: { labels: rows.map((r) => r.jobType), datasets: [{ label: 'stall rate (%)', data: rows.map((r) => percent(r.stallRate)), backgroundColor: COLORS[3] }] },
        options: { plugins: { legend: { display: false } }, scales: { y: { beginAtZero: true, max: 100, title: { display: true, text: '% stalled' } } } },
      }),
    },
    {
      id: 'first-time-fix',
      view: 'first-time-fix',
      columns: ['jobType', 'closed', 'firstTimeFix', 'ratio'],
      chart: (rows) => ({
        type: 'bar',
        data: { labels: rows.map((r) => r.jobType), datasets: [{ label: 'first-time-fix (%)', data: rows.map((r) => percent(r.ratio)), backgroundColor: COLORS[2] }] },
        options: { plugins: { legend: { display: false } }, scales: { y: { beginAtZero: true, max: 100, title: { display: true, text: '% fixed first time' } } } },
      }),
    },
    { id: 'post-reviews', view: 'post-reviews', extra: () => ({ overdue: 'true' }), columns: ['owner', 'postReviewId', 'workOrderId', 'jobType', 'dueAt', 'overdueBy'] },
    { id: 'approvals', view: 'approvals', extra: () => ({ status: 'pending' }), columns: ['owner', 'approvalId', 'workOrderId', 'jobType', 'requestedAt', 'age'] },
    { id: 'evidence', view: 'evidence-completeness', columns: ['jobType', 'closures', 'closuresWithEvidence', 'closureShare', 'stepsRequired', 'stepsWithEvidence', 'stepShare'] },
    { id: 'closures', view: 'closures', extra: () => ({ evidence: 'missing', limit: '200' }), columns: ['closedAt', 'workOrderId', 'jobType', 'source', 'externalRef', 'owner'] },
  ];

  const percent = (ratio) => (ratio === null || ratio === undefined ? 0 : Math.round(ratio * 1000) / 10);

  function renderTable(section, rows, url) {
    const box = $(`#${section.id} .table`);
    box.replaceChildren();
    const csv = document.createElement('a');
    csv.className = 'csv';
    csv.href = url;
    csv.textContent = 'CSV';
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
    const table = document.createElement('table');
    const head = table.createTHead().insertRow();
    for (const c of section.columns) {
      const th = document.createElement('th');
      th.textContent = c;
      head.appendChild(th);
    }
    const body = table.createTBody();
    for (const r of rows) {
      const tr = body.insertRow();
      for (const c of section.columns) {
        const td = tr.insertCell();
        const v = r[c];
        td.textContent = v === null || v === undefined ? '' : String(v);
        if (typeof v === 'number') td.className = 'num';
      }
    }
    box.appendChild(table);
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
          renderTable(section, rows, url);
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
    for (const jobType of [...new Set(workflows.map((w) => w.jobType))].sort()) select.appendChild(new Option(jobType, jobType));
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
