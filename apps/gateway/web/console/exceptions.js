/* The console's exceptions page: the open exceptions by owner, each resolved here with evidence. */
import { api } from '../shared/api.js';
import { $, h } from '../shared/dom.js';
import { ago, cardsOr, details, due, enc, timeCell } from './parts.js';
import { act, codes, session } from './session.js';

export async function showExceptions(params) {
  const owner = params.get('owner') || '';
  const [rows, catalog, everyOwner] = await Promise.all([
    api('GET', `/v1/exceptions${owner ? `?owner=${enc(owner)}` : ''}`),
    codes(),
    owner ? api('GET', '/v1/exceptions') : null,
  ]);
  const select = $('#exception-owner');
  const owners = [...new Set([session.me.id, ...(everyOwner || rows).map((r) => r.owner)])].sort();
  select.replaceChildren(
    new Option('every owner', ''),
    ...owners.map((o) => new Option(o === session.me.id ? `${o} (you)` : o, o)),
  );
  select.value = owner;
  const titles = new Map((catalog || []).map((c) => [c.code, c.title]));
  const groups = new Map();
  for (const r of rows) groups.set(r.owner, [...(groups.get(r.owner) || []), r]);
  const sections = [...groups].map(([who, list]) =>
    h(
      'div',
      { class: 'group' },
      h('h3', { text: `${who}${who === session.me.id ? ' (you)' : ''} · ${list.length} open` }),
      h(
        'div',
        { class: 'list' },
        list.map((r) => exceptionCard(r, titles.get(r.code))),
      ),
    ),
  );
  $('#exceptions-list').replaceChildren(...cardsOr(sections, 'No open exception.'));
  return `${rows.length} open exception${rows.length === 1 ? '' : 's'}.`;
}

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
    const v = (n) => form.elements[n].value.trim();
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
      ['Due', h('span', { class: late ? 'error' : '' }, timeCell(row.dueAt, due(row.dueAt)))],
      ['Raised', timeCell(row.raisedAt, ago(row.raisedAt))],
      ['Step', row.stepId],
      ['Open remediations', row.remediationsOpen ? String(row.remediationsOpen) : null],
    ]),
    form,
  );
}
