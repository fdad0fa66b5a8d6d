// @ts-check
/* The console's exceptions page: the open exceptions escalated to you, then those by owner, each resolved here with evidence. */
import { api } from '../shared/api.js';
import { $, $as, h, valueOf } from '../shared/dom.js';
import { ago, badge, cardsOr, details, due, enc, timeCell } from './parts.js';
import { act, codes, session } from './session.js';

/** @typedef {import('@workgate/contracts/ledger').ExceptionListItem} ExceptionListItem */

/** @type {(query: string) => Promise<ExceptionListItem[]>} */
const readExceptions = (query) => api('GET', `/v1/exceptions${query}`);

/**
 * Shows the open exceptions (of the owner `params` name, else every owner's); answers the status line.
 * @param {URLSearchParams} params
 */
export async function showExceptions(params) {
  const owner = params.get('owner') || '';
  const me = session.me?.id ?? '';
  // Exceptions escalated to you (open past their SLA and its escalation time) beside the ones by owner.
  const withEscalated = !owner || owner === me;
  const [rows, catalog, everyOwner, escalated] = await Promise.all([
    readExceptions(owner ? `?owner=${enc(owner)}` : ''),
    codes(),
    owner ? readExceptions('') : null,
    withEscalated ? readExceptions(`?escalatedTo=${enc(me)}`) : [],
  ]);
  const select = $as('#exception-owner', HTMLSelectElement);
  const owners = [...new Set([me, ...(everyOwner || rows).map((r) => r.owner)])].sort();
  select.replaceChildren(
    new Option('every owner', ''),
    ...owners.map((o) => new Option(o === me ? `${o} (you)` : o, o)),
  );
  select.value = owner;
  const titles = new Map((catalog || []).map((c) => [c.code, c.title]));
  const shown = new Set(escalated.map((r) => r.exceptionId));
  /** @type {Map<string, ExceptionListItem[]>} */
  const groups = new Map(escalated.length ? [['', escalated]] : []);
  for (const r of rows) if (!shown.has(r.exceptionId)) groups.set(r.owner, [...(groups.get(r.owner) || []), r]);
  const sections = [...groups].map(([who, list]) =>
    h(
      'div',
      { class: 'group' },
      h('h3', { text: `${heading(who, me)} · ${list.length} open` }),
      h(
        'div',
        { class: 'list' },
        list.map((r) => exceptionCard(r, titles.get(r.code))),
      ),
    ),
  );
  $('#exceptions-list').replaceChildren(...cardsOr(sections, 'No open exception.'));
  const listed = new Set(rows.map((r) => r.exceptionId));
  const total = rows.length + escalated.filter((r) => !listed.has(r.exceptionId)).length;
  const also = escalated.length ? ` (${escalated.length} escalated to you)` : '';
  return `${total} open exception${total === 1 ? '' : 's'}${also}.`;
}

/** A group's heading: the escalated to you (`who` empty), yours, or another owner's. */
/** @type {(who: string, me: string) => string} */
const heading = (who, me) => (who ? `${who}${who === me ? ' (you)' : ''}` : 'Escalated to you');

/**
 * @param {ExceptionListItem} row
 * @param {string | undefined} title
 */
function exceptionCard(row, title) {
  const id = `exception-${row.exceptionId}`;
  const form = h(
    'form',
    { class: 'grid-form' },
    h('label', { for: `${id}-resolution`, text: 'Resolution' }),
    h('textarea', {
      id: `${id}-resolution`,
      name: 'resolution',
      rows: '2',
      maxlength: '4000',
      placeholder: 'How it was resolved',
    }),
    h('label', { for: `${id}-kind`, text: 'Evidence kind' }),
    h('input', { id: `${id}-kind`, name: 'kind', maxlength: '100', placeholder: 'e.g. call-log' }),
    h('label', { for: `${id}-ref`, text: 'Evidence' }),
    h('input', { id: `${id}-ref`, name: 'ref', maxlength: '2000', placeholder: 'link, document or note' }),
    h('div', { class: 'actions' }, h('button', { type: 'submit', text: 'Resolve' })),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    /** @param {string} n */
    const v = (n) => valueOf(form, n).trim();
    const body = {
      ...(v('resolution') ? { resolution: v('resolution') } : {}),
      ...(v('ref') ? { evidence: [{ kind: v('kind') || 'note', ref: v('ref') }] } : {}),
    };
    void act(form, `${row.code} on ${row.externalRef} resolved.`, `/v1/exceptions/${row.exceptionId}/resolve`, body);
  });
  const late = Date.parse(row.dueAt) < Date.now();
  return h(
    'article',
    { class: `card${late ? ' overdue' : ''}`, 'aria-labelledby': `${id}-title` },
    h('h3', { id: `${id}-title` }, `${row.code} · ${row.externalRef}`),
    row.escalatedTo ? badge('escalated') : null,
    title ? h('p', { class: 'muted', text: title }) : null,
    details([
      [
        'Work order',
        h(
          'span',
          {},
          h('a', { href: `#/work-orders/${row.workOrderId}`, text: row.externalRef }),
          h('span', { class: 'muted', text: ` · ${row.source} · ${row.jobType}` }),
        ),
      ],
      ['Owner', row.escalatedTo ? row.owner : null],
      ['Due', h('span', { class: late ? 'error' : '' }, timeCell(row.dueAt, due(row.dueAt)))],
      [
        'Escalated',
        row.escalatedTo
          ? h('span', {}, `to ${row.escalatedTo} `, row.escalatedAt && timeCell(row.escalatedAt, ago(row.escalatedAt)))
          : null,
      ],
      ['Raised', timeCell(row.raisedAt, ago(row.raisedAt))],
      ['Step', row.stepId],
      ['Open remediations', row.remediationsOpen ? String(row.remediationsOpen) : null],
    ]),
    form,
  );
}
