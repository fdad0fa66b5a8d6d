// @ts-check
/* Rows rendered into a table, for every page of the gateway. */
import { h } from './dom.js';

/**
 * A column of `table`.
 * @template R
 * @typedef {object} Column
 * @property {string} title
 * @property {(row: R) => import('./dom.js').Child} cell
 * @property {boolean} [num]
 * @property {boolean} [nowrap]
 * @property {(row: R) => string | undefined} [hint]
 * @property {(rows: R[]) => string} [total]
 */

/**
 * `rows` as a `<table>`, one column per entry of `columns`:
 * `{ title, cell(row) → text or element, num?, nowrap?, hint?(row) → tooltip, total?(rows) → text }`.
 * A `num` column aligns right, a `nowrap` one does not wrap. A totals row follows when a column
 * has a total and there is more than one row to add up.
 * @template R
 * @param {Column<R>[]} columns
 * @param {R[]} rows
 */
export function table(columns, rows) {
  /** @type {(column: Column<R>, content: import('./dom.js').Child, hint?: string) => HTMLTableCellElement} */
  const td = (column, content, hint) =>
    h('td', { class: column.num ? 'num' : column.nowrap ? 'nowrap' : undefined, title: hint }, content);
  const totals = columns.some((c) => c.total) && rows.length > 1;
  return h(
    'table',
    {},
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        columns.map((c) => h('th', { scope: 'col', class: c.num ? 'num' : undefined, text: c.title })),
      ),
    ),
    h(
      'tbody',
      {},
      rows.map((r) =>
        h(
          'tr',
          {},
          columns.map((c) => td(c, c.cell(r), c.hint && c.hint(r))),
        ),
      ),
    ),
    totals
      ? h(
          'tfoot',
          {},
          h(
            'tr',
            {},
            columns.map((c) => td(c, c.total ? c.total(rows) : '')),
          ),
        )
      : null,
  );
}
