// @ts-check
/* How an approval's card is decided: the note, Approve, Reject and Approve with conditions, and the
 * conditions of a conditional approval, each closed here with evidence; the card then shows what the
 * decision left, in place. */
import { api, ApiError, messageOf } from '../shared/api.js';
import { h, status, valueOf } from '../shared/dom.js';
import { badge, due, enc, words } from './parts.js';
import { act } from './session.js';

/** @typedef {import('@workgate/contracts/approvals').ApprovalView} ApprovalView */
/** @typedef {import('@workgate/contracts/approvals').ConditionView} ConditionView */

/**
 * How far an approval of several approvers got: `1 of 2 approvals` and who decided what
 * (docs/approvers.md, Two-person approvals); null for an approval of its owner alone.
 * @param {ApprovalView} approval
 */
export function approvalProgress(approval) {
  if (approval.required === undefined) return null;
  const decisions = approval.approvals || [];
  const yes = decisions.filter((d) => d.decision !== 'reject').length;
  const who = decisions.map(
    (d) =>
      `${d.by} ${words(d.decision === 'approve' ? 'approved' : d.decision === 'reject' ? 'rejected' : 'conditional')}`,
  );
  return h(
    'span',
    { class: 'approvals-progress', 'data-approved': String(yes), 'data-required': String(approval.required) },
    h('strong', { text: `${yes} of ${approval.required}` }),
    ` approval${approval.required === 1 ? '' : 's'}`,
    h('span', { class: 'muted', text: who.length ? ` · ${who.join(', ')}` : ' · nobody yet' }),
  );
}

/**
 * The card of `approval` as a decision left it: its badge and what is left to do, in place.
 * @param {HTMLElement} card
 * @param {ApprovalView} row
 * @param {string} heading
 * @returns {(answer: Partial<ApprovalView>) => void}
 */
function decided(card, row, heading) {
  return (answer) => {
    const approval = { ...row, ...answer };
    card.querySelector('h3 .badge')?.replaceWith(badge(approval.status));
    for (const n of card.querySelectorAll(
      ':scope > .field, :scope > .actions, :scope > form.conditions, :scope > .open-conditions',
    ))
      n.remove();
    card.dataset.status = approval.status;
    const progress = approvalProgress(approval);
    if (progress) card.querySelector('.approvals-progress')?.replaceWith(progress);
    // One approver decided; the others still may: the card says so, without buttons for this approver.
    if (approval.status === 'requested' && progress)
      card.append(
        h('p', {
          class: 'muted decided',
          text: `Your decision is recorded; it waits for ${approval.required} approvers.`,
        }),
      );
    else if (approval.status === 'conditional') card.append(conditionList(approval, card, heading));
    else if (approval.decidedBy)
      card.append(h('p', { class: 'muted decided', text: `${words(approval.status)} by ${approval.decidedBy}` }));
  };
}

/**
 * The note, Approve, Reject and (but for a workflow change) Approve with conditions; `also`, the
 * agent's request_action this exact call follows, is rejected first.
 * @param {ApprovalView} approval
 * @param {string} heading
 * @param {{ conditions?: boolean, also?: string | null, card: HTMLElement }} options
 */
export function decisionControls(approval, heading, { conditions = true, also = null, card }) {
  const update = decided(card, approval, heading);
  const noteId = `note-${approval.approvalId}`;
  const note = h('input', { id: noteId, type: 'text', maxlength: '4000' });
  const permitted = approval.requestedAction ? { permittedAction: approval.requestedAction } : {};
  /** @param {string} decision */
  const body = (decision) => ({ decision, ...permitted, ...(note.value.trim() ? { note: note.value.trim() } : {}) });
  // The agent's request_action of the same intent is settled first: only this exact call may be permitted.
  const settleAlso = async () => {
    if (!also) return;
    const why = `decided with the exact call of approval ${approval.approvalId}`;
    await api('POST', `/v1/approvals/${also}/decision`, { body: { decision: 'reject', note: why } }).catch((e) => {
      if (!(e instanceof ApiError && e.status === 409)) throw e;
    });
  };
  /** @type {(button: EventTarget | null, decision: string, done: string) => Promise<void>} */
  const decide = async (button, decision, done) => {
    if (!(button instanceof HTMLElement)) return;
    try {
      await settleAlso();
    } catch (error) {
      status(messageOf(error), true);
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
    /** @type {unknown} */
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

/**
 * A condition by its title, with the id it was given when that says something else (R-03: Pen test report).
 * @param {ConditionView} c
 */
const conditionTitle = (c) =>
  c.conditionId && c.conditionId !== c.title && !/^[0-9a-f-]{36}$|^c\d+$/.test(c.conditionId)
    ? `${c.conditionId}: ${c.title}`
    : c.title;

/**
 * @param {ApprovalView} approval
 * @param {HTMLElement} card
 * @param {string} heading
 */
export function conditionList(approval, card, heading) {
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
          const evidence = { kind: valueOf(form, 'kind').trim(), ref: valueOf(form, 'ref').trim() };
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
