// @ts-check
/* What the operations dashboard shows: one entry per section of the page, naming its view
 * (GET /v1/views/...), its table (the measure first, with totals where they add up) and its chart. */
import { $as, h } from '../shared/dom.js';
import { duration } from '../shared/duration.js';

/** @typedef {import('@workgate/contracts/views').ViewRow} ViewRow */
/** @typedef {ViewRow[string]} ViewValue */
/** @typedef {import('../shared/table.js').Column<ViewRow>} Column */
/** @typedef {import('chart.js').ChartConfiguration} ChartConfiguration */
/**
 * A section of the page: its view, the query it adds to the filters, its count line, the rows its
 * table shows (the view's own by default), the table's columns and order, and its chart.
 * @typedef {object} Section
 * @property {string} id
 * @property {string} view
 * @property {() => Record<string, string>} [extra]
 * @property {(rows: ViewRow[]) => string} [count]
 * @property {(rows: ViewRow[]) => ViewRow[]} [rowsForTable]
 * @property {(a: ViewRow, b: ViewRow) => number} [sort]
 * @property {Column[]} table
 * @property {(rows: ViewRow[]) => ChartConfiguration} [chart]
 */

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

/** @type {Section[]} */
export const SECTIONS = [
  {
    id: 'trends',
    view: 'exception-trends',
    extra: () => ({ interval: $as('#interval', HTMLSelectElement).value }),
    count: (rows) => `${number(sum(rows, 'count'))} exceptions`,
    // The chart shows each period; the table totals each code over the range, most first.
    rowsForTable: (rows) => {
      /** @type {Map<string, number>} */
      const byCode = new Map();
      for (const r of rows) byCode.set(String(r.code), (byCode.get(String(r.code)) || 0) + Number(r.count));
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
      const periods = [...new Set(rows.map((r) => String(r.period)))].sort();
      const codes = [...new Set(rows.map((r) => String(r.code)))].sort();
      const count = new Map(rows.map((r) => [`${String(r.period)}|${String(r.code)}`, Number(r.count)]));
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
        datasets: [{ label: 'exceptions', data: rows.map((r) => Number(r.count)), backgroundColor: COLORS[1] }],
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
      col('overdue by', (r) => duration(seconds(r.overdueSeconds)), { num: true }),
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
      `${number(rows.length)} pending${rows.length ? `, oldest ${duration(Math.max(...rows.map((r) => Number(r.ageSeconds))))}` : ''}`,
    sort: (a, b) => Number(b.ageSeconds) - Number(a.ageSeconds),
    table: [
      col('age', (r) => duration(seconds(r.ageSeconds)), { num: true }),
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

/**
 * A table column: its heading, how a row shows in it, and options (`num`, `nowrap`, `total`: see the shared table).
 * @param {string} title
 * @param {Column['cell']} cell
 * @param {Omit<Column, 'title' | 'cell'>} [options]
 * @returns {Column}
 */
function col(title, cell, options) {
  return { title, cell, ...options };
}

/** The work order as people know it: its external ref (and source), linked to its page in the console. */
function workOrderCol() {
  return col(
    'work order',
    (r) =>
      h(
        'a',
        { href: `/console#/work-orders/${encodeURIComponent(String(r.workOrderId))}` },
        r.externalRef || `work order ${String(r.workOrderId).slice(0, 8)}`,
      ),
    { hint: (r) => (r.source ? `${String(r.source)} · ${String(r.workOrderId)}` : String(r.workOrderId)) },
  );
}

/** @param {ViewValue | undefined} n */
const number = (n) => (n === null || n === undefined ? '' : Number(n).toLocaleString('en-US'));
/** @param {ViewValue | undefined} ratio */
const pct = (ratio) =>
  ratio === null || ratio === undefined ? '–' : `${(Math.round(Number(ratio) * 1000) / 10).toFixed(1)} %`;
/** @type {(rows: ViewRow[], key: string) => number} */
const sum = (rows, key) => rows.reduce((total, r) => total + (Number(r[key]) || 0), 0);
/** @type {(rows: ViewRow[], part: string, whole: string) => number | null} */
const share = (rows, part, whole) => (sum(rows, whole) ? sum(rows, part) / sum(rows, whole) : null);
/** @param {ViewValue | undefined} iso */
const day = (iso) => (iso ? String(iso).slice(0, 10) : '');
/** A view's seconds column; null where the view has none. @param {ViewValue | undefined} v */
const seconds = (v) => (typeof v === 'number' ? v : null);

/** @param {ViewValue | undefined} ratio */
const percent = (ratio) => (ratio === null || ratio === undefined ? 0 : Math.round(Number(ratio) * 1000) / 10);
