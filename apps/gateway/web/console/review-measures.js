// @ts-check
/* How the monthly review shows a measure: this month, last month and the change, in the words and
 * colours of which way is better; and the sections and tables it is laid out in. */
import { h } from '../shared/dom.js';
import { duration } from '../shared/duration.js';

/** @typedef {import('@workgate/contracts/monthly-review').Compared} Compared */
/** @typedef {import('../shared/dom.js').Child} Child */
/** What a change counts, so it reads as such. @typedef {'count' | 'share' | 'seconds'} Kind */
/** Which way a measure is better. @typedef {'down' | 'up' | 'either'} Good */
/** How a number of a month is shown. @typedef {(v: number | null) => string} Show */

/** @type {Show} */
export const plain = (v) => (v === null ? '—' : String(v));
/** @type {Show} */
export const percent = (v) => (v === null ? '—' : `${Math.round(v * 1000) / 10}%`);
/** @type {Show} */
export const time = (v) => (v === null ? '—' : duration(v));

/** A change as a person reads it: `+3`, `−2`, `+10 pts`, `+2 h`, `no change`; `good` says which way is better (`down`, `up`, `either`). */
/**
 * @param {Compared} c
 * @param {Kind} kind
 * @param {Good} [good]
 */
export function change(c, kind, good = 'down') {
  if (c.change === null) return h('span', { class: 'muted', text: c.thisMonth === null ? 'no data' : 'new' });
  if (c.change === 0) return h('span', { class: 'muted', text: 'no change' });
  const sign = c.change > 0 ? '+' : '−';
  const size = Math.abs(c.change);
  const text =
    kind === 'share'
      ? `${sign}${Math.round(size * 1000) / 10} pts`
      : kind === 'seconds'
        ? `${sign}${duration(size)}`
        : `${sign}${size}`;
  if (good === 'either') return h('span', { class: 'delta', text });
  const better = c.change < 0 === (good === 'down');
  return h('span', { class: `delta ${better ? 'better' : 'worse'}`, text });
}

/**
 * One measure: this month large, last month and the change beneath.
 * @param {string} title
 * @param {Compared} c
 * @param {Show} show
 * @param {Kind} [kind]
 * @param {Good} [good]
 */
export function measure(title, c, show, kind = 'count', good = 'down') {
  return h(
    'div',
    { class: 'measure' },
    h('p', { class: 'value', text: show(c.thisMonth) }),
    h('p', { class: 'label', text: title }),
    h('p', { class: 'muted' }, `last month ${show(c.lastMonth)} · `, change(c, kind, good)),
  );
}

/** Columns for a compared number: this month, then (`what`: what the row is about, kept in sight on a narrow screen) last month and the change. */
/**
 * @template R
 * @param {string} title
 * @param {(row: R) => Compared} get
 * @param {import('../shared/table.js').Column<R> | null} what
 * @param {Show} [show]
 * @param {Kind} [kind]
 * @param {Good} [good]
 * @returns {import('../shared/table.js').Column<R>[]}
 */
export const compared = (title, get, what, show = plain, kind = 'count', good = 'down') => [
  { title, num: true, cell: (r) => show(get(r).thisMonth) },
  ...(what ? [what] : []),
  { title: 'Last month', num: true, cell: (r) => show(get(r).lastMonth) },
  { title: 'Change', num: true, nowrap: true, cell: (r) => change(get(r), kind, good) },
];

/** A section's note begins with what its measures are of: `Of 8 work orders closed this month (4 last month)`. */
/** @type {(c: Compared, what: string) => string} */
export const ofTheMonth = (c, what) => `Of ${c.thisMonth} ${what} this month (${c.lastMonth} last month)`;

/** The measures of a section, side by side. */
/** @param {...HTMLElement} each */
export const measures = (...each) => h('div', { class: 'measures' }, ...each);

/**
 * @param {string} title
 * @param {string | null} note
 * @param {...Child} body
 */
export function section(title, note, ...body) {
  return h(
    'section',
    { class: 'review-part' },
    h('h3', { text: title }),
    note && h('p', { class: 'muted note', text: note }),
    ...body,
  );
}
