/* The console's words and pieces: how times, actions and ids read, and the blocks every page is made of. */
import { h } from '../shared/dom.js';
import { roughDuration } from '../shared/duration.js';
import { table } from '../shared/table.js';

export const enc = encodeURIComponent;

/** The milliseconds since `iso` (negative when it is ahead). */
export const since = (iso) => Date.now() - Date.parse(iso);
export const ago = (iso) => `${roughDuration(since(iso) / 1000)} ago`;
export const due = (iso) => {
  const left = -since(iso);
  return left >= 0 ? `in ${roughDuration(left / 1000)}` : `overdue by ${roughDuration(left / 1000)}`;
};
export const when = (iso) =>
  iso ? new Date(iso).toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'short' }) : '';
export const shortId = (id) => String(id).slice(0, 8);
export const actionText = (a) => (a ? `${a.kind} ${a.system} ${a.operation}` : 'a gate of the work order');
export const words = (s) =>
  String(s)
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .replace(/[-_]/g, ' ')
    .toLowerCase();
export const badge = (status) => h('span', { class: `badge ${status}`, text: status });

export function timeCell(iso, text) {
  return h('time', { datetime: iso, title: when(iso) }, text);
}

export function facts(obj) {
  const entries = Object.entries(obj || {});
  if (!entries.length) return h('span', { class: 'muted', text: 'none' });
  return h(
    'ul',
    { class: 'facts' },
    entries.map(([k, v]) =>
      h('li', {}, h('span', { class: 'muted', text: `${k}: ` }), typeof v === 'object' ? JSON.stringify(v) : String(v)),
    ),
  );
}

/** A list of terms and what they are, the empty ones left out. */
export function details(pairs) {
  return h(
    'dl',
    {},
    pairs
      .filter(([, v]) => v !== undefined && v !== null && v !== '')
      .flatMap(([k, v]) => [h('dt', { text: k }), h('dd', {}, v)]),
  );
}

/** `rows` as a table in its own scrolling box, or `empty` said when there is none. */
export function tableOf(columns, rows, empty) {
  if (!rows.length) return h('p', { class: 'empty', text: empty });
  return h('div', { class: 'table' }, table(columns, rows));
}

/** Cards, or `empty` said when there is none. */
export const cardsOr = (cards, empty) => (cards.length ? cards : [h('p', { class: 'empty', text: empty })]);

export function workOrderLink(id, wo) {
  return h('a', { href: `#/work-orders/${id}` }, wo ? wo.externalRef : `work order ${shortId(id)}`);
}
