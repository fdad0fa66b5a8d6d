// @ts-check
/* The console's exceptions page: the open exceptions escalated to you, then those by owner, each resolved here with evidence. */
import { api } from '../shared/api.js';
import { $, $as, h, valueOf } from '../shared/dom.js';
import { ago, badge, cardsOr, details, due, enc, timeCell } from './parts.js';
import { counted, loadMore, pageSize, readPage } from './paged-list.js';
import { act, codes, session } from './session.js';

/** @typedef {import('@workgate/contracts/ledger').ExceptionListItem} ExceptionListItem */
/** @template R @typedef {import('./paged-list.js').Page<R>} Page */

/** @type {(query: string) => Promise<ExceptionListItem[]>} */
const readExceptions = (query) => api('GET', `/v1/exceptions${query}`);
/** @type {(query: string) => Promise<Page<ExceptionListItem>>} */
const readExceptionPage = (query) => readPage(`/v1/exceptions${query}`);

/**
 * Shows the open exceptions (of the owner `params` name, else every owner's), a page at a time
 * (`limit=` in the address): those escalated to you first, then by owner; answers the status line.
 * @param {URLSearchParams} params
 */
export async function showExceptions(params) {
  const owner = params.get('owner') || '';
  const me = session.me?.id ?? '';
  const limit = pageSize(params);
  const list = $('#exceptions-list');
  list.replaceChildren(h('p', { class: 'empty', role: 'status', text: 'Loading the open exceptions…' }));
  // Exceptions escalated to you (open past their SLA and its escalation time) beside the ones by owner.
  const withEscalated = !owner || owner === me;
  const [first, catalog, everyOwner, escalated] = await Promise.all([
    readExceptionPage(`?${owner ? `owner=${enc(owner)}&` : ''}limit=${limit}`),
    codes(),
    owner ? readExceptions('') : null,
    withEscalated ? readExceptionPage(`?escalatedTo=${enc(me)}&limit=${limit}`) : { rows: [], next: null },
  ]);
  const select = $as('#exception-owner', HTMLSelectElement);
  const owners = [...new Set([me, ...(everyOwner || first.rows).map((r) => r.owner)])].sort();
  select.replaceChildren(
    new Option('every owner', ''),
    ...owners.map((o) => new Option(o === me ? `${o} (you)` : o, o)),
  );
  select.value = owner;
  const titles = new Map((catalog || []).map((c) => [c.code, c.title]));
  list.replaceChildren();
  /** Each group by owner ('' for the escalated to you): its heading, its cards, how many it shows. */
  /** @type {Map<string, { title: HTMLElement, cards: HTMLElement, count: number }>} */
  const groups = new Map();
  /** @type {Set<string>} */
  const shown = new Set();
  /** @param {string} who */
  const groupOf = (who) => {
    let group = groups.get(who);
    if (!group) {
      group = { title: h('h3', {}), cards: h('div', { class: 'list' }), count: 0 };
      groups.set(who, group);
      const section = h('div', { class: 'group', 'data-owner': who }, group.title, group.cards);
      if (who === '') list.prepend(section);
      else if (tail) tail.before(section);
      else list.append(section);
    }
    return group;
  };
  /** @param {(row: ExceptionListItem) => string} whose @returns {(rows: ExceptionListItem[]) => number} */
  const show = (whose) => (rows) => {
    for (const r of rows) {
      if (shown.has(r.exceptionId)) continue;
      shown.add(r.exceptionId);
      const group = groupOf(whose(r));
      group.cards.append(exceptionCard(r, titles.get(r.code)));
      group.count += 1;
      group.title.textContent = `${heading(whose(r), me)} · ${group.count} open`;
    }
    return shown.size;
  };
  /** @type {(n: number, more: boolean) => string} */
  const said = (n, more) => `${counted(n, 'open exception')} shown${more ? ', more to load' : ''}.`;
  /** @type {HTMLElement | null} */
  let tail = null;
  if (escalated.rows.length)
    groupOf('').cards.after(
      loadMore(
        escalated,
        show(() => ''),
        said,
      ),
    );
  tail = loadMore(
    first,
    show((r) => r.owner),
    said,
  );
  if (shown.size === 0) list.replaceChildren(...cardsOr([], 'No open exception.'));
  list.append(tail);
  const also = first.next || escalated.next ? ', more to load' : '';
  const mine = escalated.rows.length ? ` (${escalated.rows.length} escalated to you)` : '';
  return `${counted(shown.size, 'open exception')}${mine}${also}.`;
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
    // The card changes in place: the list is not read again.
    const resolved = () => {
      cardTitle.append(' ', badge('resolved'));
      form.replaceWith(h('p', { class: 'muted', text: `Resolved${body.resolution ? `: ${body.resolution}` : '.'}` }));
    };
    void act(
      form,
      `${row.code} on ${row.externalRef} resolved.`,
      `/v1/exceptions/${row.exceptionId}/resolve`,
      body,
      resolved,
    );
  });
  const cardTitle = h('h3', { id: `${id}-title` }, `${row.code} · ${row.externalRef}`);
  const late = Date.parse(row.dueAt) < Date.now();
  return h(
    'article',
    { class: `card${late ? ' overdue' : ''}`, 'aria-labelledby': `${id}-title`, 'data-exception': row.exceptionId },
    cardTitle,
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
