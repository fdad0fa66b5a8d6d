// @ts-check
/* Departments (or job types) side by side (docs/views.md, Departments and comparisons), for the
 * dashboard and the monthly review: one row per group, every measure of CompareRow as a person reads
 * it (percentages with the counts beneath, durations in their two largest units). A wide screen
 * shows a table (scrolling inside its own box when it must); a narrow one shows each group as a
 * card of label and value (shared/compare-table.css). */
import { h } from './dom.js';
import { duration } from './duration.js';

/** @typedef {import('@workgate/contracts/views').CompareRow} CompareRow */
/** @typedef {import('@workgate/contracts/views').CompareBy} CompareBy */
/** @typedef {import('./dom.js').Child} Child */
/**
 * A measure of the comparison: its heading, its key (`data-measure` on its cells), the value shown
 * and what stands beneath it (the counts a rate is of).
 * @typedef {object} Measure
 * @property {string} title
 * @property {string} key
 * @property {(row: CompareRow) => string} value
 * @property {(row: CompareRow) => Child} [beneath]
 * @property {string} [hint]
 */

/** A ratio as a percentage to one place: `66.7%`; `—` without one. @param {number | null} ratio */
export const percent = (ratio) => (ratio === null ? '—' : `${(Math.round(ratio * 1000) / 10).toFixed(1)}%`);
/** A count: `1,234`. @param {number} n */
const count = (n) => n.toLocaleString('en-US');
/** Per 100 work orders, up to two places: `33.33`, `50`; `—` without work orders. @param {number | null} n */
const per100 = (n) => (n === null ? '—' : n.toLocaleString('en-US', { maximumFractionDigits: 2 }));
/** @param {number | null} seconds */
const time = (seconds) => (seconds === null ? '—' : duration(seconds));
/** `part of whole`. @type {(part: number, whole: number) => string} */
const of = (part, whole) => `${count(part)} of ${count(whole)}`;

/** The exceptions per 100 work orders of each code, most first, one line each. @param {CompareRow} r */
function byCode(r) {
  const codes = Object.entries(r.exceptionsPer100ByCode).sort(([a, x], [b, y]) => y - x || (a < b ? -1 : 1));
  if (!codes.length) return '—';
  return h(
    'ul',
    { class: 'codes' },
    codes.map(([code, n]) => h('li', {}, h('span', { class: 'code', text: code }), ` ${per100(n)}`)),
  );
}

/** The measures, in the order the table shows them. @type {Measure[]} */
export const COMPARE_MEASURES = [
  { title: 'Work orders', key: 'workOrders', value: (r) => count(r.workOrders), hint: 'closed in the window' },
  {
    title: 'First-time fix',
    key: 'firstTimeFixRate',
    value: (r) => percent(r.firstTimeFixRate),
    beneath: (r) => of(r.firstTimeFix, r.workOrders),
    hint: 'closed with no exception and no reopen',
  },
  {
    title: 'Exceptions per 100',
    key: 'exceptionsPer100',
    value: (r) => per100(r.exceptionsPer100),
    beneath: (r) => `${count(r.exceptions)} raised`,
  },
  { title: 'Per 100, by code', key: 'exceptionsPer100ByCode', value: () => '', beneath: byCode },
  {
    title: 'Closure evidence',
    key: 'closureEvidenceShare',
    value: (r) => percent(r.closureEvidenceShare),
    beneath: (r) => of(r.closuresWithEvidence, r.workOrders),
  },
  {
    title: 'Step evidence',
    key: 'stepEvidenceShare',
    value: (r) => percent(r.stepEvidenceShare),
    beneath: (r) => of(r.stepsWithEvidence, r.stepsRequired),
  },
  { title: 'Time to close p50', key: 'timeToCloseP50Seconds', value: (r) => time(r.timeToCloseP50Seconds) },
  { title: 'p95', key: 'timeToCloseP95Seconds', value: (r) => time(r.timeToCloseP95Seconds) },
  {
    title: 'Spread',
    key: 'timeToCloseSpread',
    value: (r) => (r.timeToCloseSpread === null ? '—' : `×${r.timeToCloseSpread}`),
    hint: 'p95 / p50: how far the slow closures are from the typical one',
  },
  {
    title: 'Break-glass',
    key: 'breakGlassRate',
    value: (r) => percent(r.breakGlassRate),
    beneath: (r) => of(r.breakGlass, r.workOrders),
  },
  {
    title: 'Overdue post-reviews',
    key: 'overduePostReviews',
    value: (r) => count(r.overduePostReviews),
  },
];

/**
 * The group a row is of, as a person reads it.
 * @param {CompareRow} row
 * @param {CompareBy} by
 */
export const groupName = (row, by) => (by === 'jobType' ? row.jobType || '' : row.department || 'no department');

/**
 * `rows` side by side, one row per group, or `empty` said when there is none. `mark` names the
 * group to pick out (the workflow's own department on its monthly review).
 * @param {CompareRow[]} rows
 * @param {{ by?: CompareBy, mark?: string | null, empty?: string }} [options]
 * @returns {HTMLElement}
 */
export function compareTable(rows, options = {}) {
  const by = options.by || 'department';
  if (!rows.length) return h('p', { class: 'empty', text: options.empty || 'Nothing closed in this range.' });
  const heading = by === 'jobType' ? 'Job type' : 'Department';
  return h(
    'div',
    { class: 'compare' },
    h(
      'table',
      {},
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', { scope: 'col', text: heading }),
          COMPARE_MEASURES.map((m) => h('th', { scope: 'col', class: 'num', title: m.hint, text: m.title })),
        ),
      ),
      h(
        'tbody',
        {},
        rows.map((r) => {
          const name = groupName(r, by);
          const mine = options.mark !== undefined && options.mark !== null && name === options.mark;
          return h(
            'tr',
            { class: mine ? 'mine' : undefined, 'data-group': name },
            h('th', { scope: 'row', class: r.department === null ? 'none' : undefined }, name),
            COMPARE_MEASURES.map((m) =>
              h(
                'td',
                { class: 'num', 'data-measure': m.key, 'data-label': m.title },
                h('span', { class: 'value', text: m.value(r) }),
                m.beneath ? h('span', { class: 'beneath' }, m.beneath(r)) : null,
              ),
            ),
          );
        }),
      ),
    ),
  );
}
