/* The console's approvals page: the approvals that wait for the signed-in approver, each with what it
 * permits, why it was asked and the controls to decide it or close its conditions with evidence. */
import { api, apiPage } from '../shared/api.js';
import { $, h, status } from '../shared/dom.js';
import { roughDuration } from '../shared/duration.js';
import { argumentList, subjectHeading, subjectRows } from './approval-subject.js';
import { badge, cardsOr, details, due, enc, shortId, since, timeCell, words, workOrderLink } from './parts.js';
import { act, session } from './session.js';

/** Approvals one page of the queue shows; "Load more" reads the next. */
const PAGE = 50;

export async function showApprovals() {
  const list = $('#approvals-list');
  list.replaceChildren(h('p', { class: 'empty', role: 'status', text: 'Loading the approvals that wait for you…' }));
  // One request a page: each row carries what its card shows (docs/api.md, Routes: `GET /v1/approvals`).
  const first = await apiPage(`/v1/approvals?owner=${enc(session.me.id)}&status=pending&limit=${PAGE}`);
  const shown = new Map();
  list.replaceChildren();
  const more = h('button', { type: 'button', class: 'quiet', text: 'Load more' });
  const tail = h('div', { class: 'actions load-more' }, more);
  const append = (page) => {
    const cards = cardsOf(page.rows, shown);
    list.append(...cards);
    tail.hidden = !page.next;
    more.onclick = async () => {
      more.disabled = true;
      try {
        append(await apiPage(page.next));
        status(`${shown.size} approval${shown.size === 1 ? '' : 's'} shown.`);
      } catch (error) {
        status(error.message, true);
      } finally {
        more.disabled = false;
      }
    };
  };
  append(first);
  if (shown.size === 0) list.replaceChildren(...cardsOr([], 'Nothing waits for you.'));
  list.append(tail);
  const also = first.next ? ', more to load' : '';
  return `${shown.size} approval${shown.size === 1 ? '' : 's'} waiting for ${session.me.id}${also}.`;
}

/**
 * The cards of one page's rows, one per intent: an agent's request_action whose tool call followed is
 * decided on that call's card (its own card, shown on an earlier page, goes).
 */
function cardsOf(rows, shown) {
  const ids = new Set([...shown.keys(), ...rows.map((r) => r.approvalId)]);
  const cards = [];
  for (const row of rows) {
    const follows = row.subject && row.subject.follows;
    if (row.subject && row.subject.followedBy && ids.has(row.subject.followedBy)) continue;
    if (follows && shown.has(follows)) {
      shown.get(follows).remove();
      shown.delete(follows);
    }
    const linked = new Set(follows && ids.has(follows) ? [follows] : []);
    // A change to a workflow belongs to no work order: its card shows the change and its diff.
    const card =
      row.kind === 'workflow-change' || !row.workOrderId ? changeCard(row, row) : approvalCard(row, row, linked);
    shown.set(row.approvalId, card);
    cards.push(card);
  }
  return cards;
}

/** The card of `approval` as a decision left it: its badge and what is left to do, in place. */
function decided(card, row, heading) {
  return (answer) => {
    const approval = { ...row, ...answer };
    card.querySelector('h3 .badge')?.replaceWith(badge(approval.status));
    for (const n of card.querySelectorAll(
      ':scope > .field, :scope > .actions, :scope > form.conditions, :scope > .open-conditions',
    ))
      n.remove();
    card.dataset.status = approval.status;
    if (approval.status === 'conditional') card.append(conditionList(approval, card, heading));
    else if (approval.decidedBy)
      card.append(h('p', { class: 'muted decided', text: `${words(approval.status)} by ${approval.decidedBy}` }));
  };
}

function approvalCard(row, approval, linked) {
  const id = `approval-${row.approvalId}`;
  const decision = row.decision || null;
  const subject = approval.subject;
  const heading = subjectHeading(subject, approval);
  const card = h(
    'article',
    { class: 'card', 'aria-labelledby': `${id}-title`, 'data-approval': row.approvalId },
    h('h3', { id: `${id}-title` }, heading, ' ', badge(approval.status)),
    details([
      [
        'Work order',
        h(
          'span',
          {},
          workOrderLink(row.workOrderId, row.externalRef ? { externalRef: row.externalRef } : null),
          row.source ? h('span', { class: 'muted', text: ` · ${row.source} · ${row.jobType}` }) : null,
        ),
      ],
      ['Requested by', approval.requestedBy],
      ['Waiting', timeCell(approval.requestedAt, roughDuration(since(approval.requestedAt) / 1000))],
      ['Due', timeCell(approval.expiresAt, due(approval.expiresAt))],
      ['Rule', decision ? decision.rule || 'the workflow boundary' : `gate: ${approval.kind || 'approval'}`],
      ['Why', decision ? decision.message : null],
      ['Policy', decision ? `${decision.policy.jobType} v${decision.policy.version}` : row.jobType],
      ...subjectRows(subject, approval),
      ['Approval', h('span', { class: 'muted', title: row.approvalId, text: shortId(row.approvalId) })],
    ]),
    argumentList(subject),
  );
  const also = subject && subject.follows && linked.has(subject.follows) ? subject.follows : null;
  if (approval.status === 'requested') card.append(...decisionControls(approval, heading, { also, card }));
  if (approval.status === 'conditional') card.append(conditionList(approval, card, heading));
  return card;
}

/** How each effect on the boundary looks: a widening asks for attention. */
const EFFECT_LOOK = { widens: 'wait', narrows: 'run', neutral: '' };

/** A workflow-change approval: the version proposed, each change with its effect and sentence, approve or reject. */
function changeCard(row, approval) {
  const id = `approval-${row.approvalId}`;
  const change = approval.change || row.change || { changes: [] };
  const heading = `Workflow change: ${change.jobType} v${change.fromVersion} → v${change.version}`;
  const widening = change.changes.filter((c) => c.effect === 'widens').length;
  const card = h(
    'article',
    {
      class: 'card',
      'aria-labelledby': `${id}-title`,
      'data-approval': row.approvalId,
      'data-kind': 'workflow-change',
    },
    h('h3', { id: `${id}-title` }, heading, ' ', badge(approval.status)),
    details([
      ['Proposed by', approval.requestedBy],
      ['Waiting', timeCell(approval.requestedAt, roughDuration(since(approval.requestedAt) / 1000))],
      ['Due', timeCell(approval.expiresAt, due(approval.expiresAt))],
      [
        'Effect',
        `${change.changes.length} change${change.changes.length === 1 ? '' : 's'}, ${widening} widening what delegated work may do`,
      ],
      ['Approval', h('span', { class: 'muted', title: row.approvalId, text: shortId(row.approvalId) })],
    ]),
    h(
      'ul',
      { class: 'changes', 'aria-label': `Changes in ${change.jobType} v${change.version}` },
      change.changes.map((c) =>
        h(
          'li',
          { 'data-effect': c.effect },
          h('span', { class: `badge ${EFFECT_LOOK[c.effect] || ''}`, text: c.effect }),
          ' ',
          c.message,
          ' ',
          h('code', { class: 'muted', text: c.path }),
        ),
      ),
    ),
  );
  if (approval.status === 'requested') card.append(...decisionControls(approval, heading, { conditions: false, card }));
  return card;
}

function decisionControls(approval, heading, { conditions = true, also = null, card }) {
  const update = decided(card, approval, heading);
  const noteId = `note-${approval.approvalId}`;
  const note = h('input', { id: noteId, type: 'text', maxlength: '4000' });
  const permitted = approval.requestedAction ? { permittedAction: approval.requestedAction } : {};
  const body = (decision) => ({ decision, ...permitted, ...(note.value.trim() ? { note: note.value.trim() } : {}) });
  // The agent's request_action of the same intent is settled first: only this exact call may be permitted.
  const settleAlso = async () => {
    if (!also) return;
    const why = `decided with the exact call of approval ${approval.approvalId}`;
    await api('POST', `/v1/approvals/${also}/decision`, { body: { decision: 'reject', note: why } }).catch((e) => {
      if (e.status !== 409) throw e;
    });
  };
  const decide = async (button, decision, done) => {
    try {
      await settleAlso();
    } catch (error) {
      status(error.message, true);
      return;
    }
    await act(button, `${done}: ${heading}.`, `/v1/approvals/${approval.approvalId}/decision`, body(decision), update);
  };

  const form = h('form', { class: 'conditions', hidden: true });
  const permittedId = `permitted-${approval.approvalId}`;
  const conditionsId = `conditions-${approval.approvalId}`;
  const permittedText = h('textarea', { id: permittedId, class: 'code', rows: '7', spellcheck: 'false' });
  permittedText.value = JSON.stringify(approval.requestedAction || {}, null, 2);
  const conditionsText = h('textarea', {
    id: conditionsId,
    rows: '3',
    required: true,
    placeholder: 'One condition per line',
  });
  form.append(
    h('label', { for: permittedId, text: 'Permitted action (pre-filled from the request)' }),
    permittedText,
    h('label', { for: conditionsId, text: 'Conditions, one title per line' }),
    conditionsText,
    h('div', { class: 'actions' }, h('button', { type: 'submit', text: 'Approve with these conditions' })),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    let permittedAction;
    try {
      permittedAction = JSON.parse(permittedText.value);
    } catch {
      status('The permitted action is not valid JSON.', true);
      return;
    }
    const conditions = conditionsText.value
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean);
    void act(
      form,
      `Approved with ${conditions.length} condition${conditions.length === 1 ? '' : 's'}: ${heading}.`,
      `/v1/approvals/${approval.approvalId}/decision`,
      {
        decision: 'conditional',
        permittedAction,
        conditions,
        ...(note.value.trim() ? { note: note.value.trim() } : {}),
      },
      update,
    );
  });
  const toggle = h('button', {
    type: 'button',
    class: 'quiet',
    'aria-expanded': 'false',
    'aria-controls': `form-${approval.approvalId}`,
    text: 'Approve with conditions',
    onclick: () => {
      form.hidden = !form.hidden;
      toggle.setAttribute('aria-expanded', String(!form.hidden));
      if (!form.hidden) conditionsText.focus();
    },
  });
  form.id = `form-${approval.approvalId}`;
  return [
    h('div', { class: 'field' }, h('label', { for: noteId, text: 'Note (optional)' }), note),
    h(
      'div',
      { class: 'actions' },
      h('button', {
        type: 'button',
        text: 'Approve',
        onclick: (e) => decide(e.currentTarget, 'approve', 'Approved'),
      }),
      h('button', {
        type: 'button',
        class: 'danger',
        text: 'Reject',
        onclick: (e) => decide(e.currentTarget, 'reject', 'Rejected'),
      }),
      // A workflow change is approved or rejected as a whole.
      conditions ? toggle : null,
    ),
    ...(conditions ? [form] : []),
  ];
}

/** A condition by its title, with the id it was given when that says something else (R-03: Pen test report). */
const conditionTitle = (c) =>
  c.conditionId && c.conditionId !== c.title && !/^[0-9a-f-]{36}$|^c\d+$/.test(c.conditionId)
    ? `${c.conditionId}: ${c.title}`
    : c.title;

function conditionList(approval, card, heading) {
  const open = (approval.conditions || []).filter((c) => !c.closed);
  const closed = (approval.conditions || []).length - open.length;
  return h(
    'div',
    { class: 'open-conditions' },
    h('h4', { text: `Open conditions (${open.length}${closed ? `, ${closed} closed` : ''})` }),
    h(
      'ul',
      {},
      open.map((c) => {
        const kindId = `kind-${approval.approvalId}-${c.conditionId}`;
        const refId = `ref-${approval.approvalId}-${c.conditionId}`;
        const form = h(
          'form',
          { class: 'grid-form compact' },
          h('label', { for: kindId, text: 'Evidence kind' }),
          h('input', { id: kindId, name: 'kind', value: 'note', required: true, maxlength: '100' }),
          h('label', { for: refId, text: 'Evidence' }),
          h('input', {
            id: refId,
            name: 'ref',
            required: true,
            maxlength: '2000',
            placeholder: 'link, document or note',
          }),
          h(
            'div',
            { class: 'actions' },
            h('button', { type: 'submit', 'aria-label': `Close condition: ${c.title}`, text: 'Close condition' }),
          ),
        );
        form.addEventListener('submit', (event) => {
          event.preventDefault();
          const evidence = { kind: form.elements.kind.value.trim(), ref: form.elements.ref.value.trim() };
          void act(
            form,
            `Condition closed: ${c.title}.`,
            `/v1/approvals/${approval.approvalId}/conditions/${enc(c.conditionId)}/close`,
            { evidence },
            decided(card, approval, heading),
          );
        });
        return h(
          'li',
          {},
          h(
            'p',
            {},
            h('strong', { text: conditionTitle(c) }),
            h('span', { class: 'muted', text: ` · ${c.owner}${c.dueAt ? ` · due ${due(c.dueAt)}` : ''}` }),
          ),
          form,
        );
      }),
    ),
  );
}
