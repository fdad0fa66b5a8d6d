// @ts-check
/* The console's words and pieces: how times, actions and ids read, and the blocks every page is made of. */
import { h } from '../shared/dom.js';
import { roughDuration } from '../shared/duration.js';
import { table } from '../shared/table.js';

/** A path segment or query value, encoded. @param {string | number} value */
export const enc = (value) => encodeURIComponent(value);

/** The milliseconds since `iso` (negative when it is ahead). @param {string} iso */
export const since = (iso) => Date.now() - Date.parse(iso);
/** @param {string} iso */
export const ago = (iso) => `${roughDuration(since(iso) / 1000)} ago`;
/** @param {string} iso */
export const due = (iso) => {
  const left = -since(iso);
  return left >= 0 ? `in ${roughDuration(left / 1000)}` : `overdue by ${roughDuration(left / 1000)}`;
};
/** @param {string | null | undefined} iso */
export const when = (iso) =>
  iso ? new Date(iso).toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'short' }) : '';
/** @param {string} id */
export const shortId = (id) => String(id).slice(0, 8);
/** @param {{ kind: string, system: string, operation: string } | null | undefined} a */
export const actionText = (a) => (a ? `${a.kind} ${a.system} ${a.operation}` : 'a gate of the work order');
/** @param {string} s */
export const words = (s) =>
  String(s)
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .replace(/[-_]/g, ' ')
    .toLowerCase();
/** @param {string} status */
export const badge = (status) => h('span', { class: `badge ${status}`, text: status });

/**
 * @param {string} iso
 * @param {string} text
 */
export function timeCell(iso, text) {
  return h('time', { datetime: iso, title: when(iso) }, text);
}

/**
 * A fact's value as text: a string, number or boolean as it is, anything else as its JSON.
 * @param {unknown} v
 */
const factText = (v) =>
  typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? String(v) : JSON.stringify(v);

/** @param {Record<string, unknown> | null | undefined} obj */
export function facts(obj) {
  const entries = Object.entries(obj || {});
  if (!entries.length) return h('span', { class: 'muted', text: 'none' });
  return h(
    'ul',
    { class: 'facts' },
    entries.map(([k, v]) => h('li', {}, h('span', { class: 'muted', text: `${k}: ` }), factText(v))),
  );
}

/**
 * A list of terms and what they are, the empty ones left out.
 * @param {Array<[string, import('../shared/dom.js').Child]>} pairs
 */
export function details(pairs) {
  return h(
    'dl',
    {},
    pairs
      .filter(([, v]) => v !== undefined && v !== null && v !== '')
      .flatMap(([k, v]) => [h('dt', { text: k }), h('dd', {}, v)]),
  );
}

/**
 * `rows` as a table in its own scrolling box, or `empty` said when there is none.
 * @template R
 * @param {import('../shared/table.js').Column<R>[]} columns
 * @param {R[]} rows
 * @param {string} empty
 */
export function tableOf(columns, rows, empty) {
  if (!rows.length) return h('p', { class: 'empty', text: empty });
  return h('div', { class: 'table' }, table(columns, rows));
}

/**
 * Cards, or `empty` said when there is none.
 * @param {HTMLElement[]} cards
 * @param {string} empty
 */
export const cardsOr = (cards, empty) => (cards.length ? cards : [h('p', { class: 'empty', text: empty })]);

/**
 * @param {string} id
 * @param {{ externalRef: string } | null} [wo]
 */
export function workOrderLink(id, wo) {
  return h('a', { href: `#/work-orders/${id}` }, wo ? wo.externalRef : `work order ${shortId(id)}`);
}
