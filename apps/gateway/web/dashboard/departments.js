// @ts-check
/* The dashboard's Departments section (docs/views.md, The dashboard): the work orders closed in the
 * dashboard's range, every job type's, side by side by department (GET /v1/views/departments) or
 * by job type (GET /v1/views/workflows/compare?by=jobType), in the shared comparison table. */
import { $, $as, h } from '../shared/dom.js';
import { compareTable } from '../shared/compare-table.js';

/** @typedef {import('@workgate/contracts/views').CompareRow} CompareRow */
/** @typedef {import('@workgate/contracts/views').CompareBy} CompareBy */

/** @param {string} v @returns {CompareBy} */
const byOf = (v) => (v === 'jobType' ? 'jobType' : 'department');

/**
 * The comparison's address for the dashboard's filters: its range and `asOf` (the job type filter
 * is left out: the comparison is of every job type).
 * @param {URLSearchParams} filters
 * @param {CompareBy} by
 */
export function departmentsUrl(filters, by) {
  const p = new URLSearchParams();
  for (const key of ['from', 'to', 'asOf']) {
    const v = filters.get(key);
    if (v) p.set(key, v);
  }
  if (by === 'department') return `/v1/views/departments?${p}`;
  p.set('by', by);
  return `/v1/views/workflows/compare?${p}`;
}

/**
 * Reads the comparison for `filters` and shows it in `#departments`, with its count line and CSV link.
 * @param {URLSearchParams} filters
 * @param {(path: string) => Promise<CompareRow[]>} read
 * @param {(url: string, name: string) => Promise<void>} csv
 */
export async function showDepartments(filters, read, csv) {
  const by = byOf($as('#compare-by', HTMLSelectElement).value);
  const url = departmentsUrl(filters, by);
  const rows = await read(url);
  const closed = rows.reduce((n, r) => n + r.workOrders, 0);
  const groups = by === 'jobType' ? 'job types' : 'departments';
  $('#departments .count').textContent =
    `${rows.length} ${rows.length === 1 ? groups.slice(0, -1) : groups}, ${closed.toLocaleString('en-US')} work orders closed`;
  const link = h('a', {
    class: 'csv',
    href: url,
    'aria-label': `Download the ${groups} side by side as CSV`,
    'data-csv': 'departments',
    text: 'CSV',
    onclick: (event) => {
      event.preventDefault();
      void csv(url, `workgate-compare-${by}.csv`);
    },
  });
  $('#departments .csv-link').replaceChildren(link);
  $('#departments .rows').replaceChildren(compareTable(rows, { by, empty: 'Nothing closed in this range.' }));
}
