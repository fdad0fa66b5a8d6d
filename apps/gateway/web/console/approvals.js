/* The console's approvals page: the approvals that wait for the signed-in approver, each with what it
 * permits, why it was asked and the controls to decide it or close its conditions with evidence. */
import { api } from '../shared/api.js';
import { $, h, status } from '../shared/dom.js';
import { roughDuration } from '../shared/duration.js';
import { argumentList, subjectHeading, subjectRows } from './approval-subject.js';
import { badge, cardsOr, details, due, enc, shortId, since, timeCell, workOrderLink } from './parts.js';
import { act, decisions, handoff, session } from './session.js';

export async function showApprovals() {
  const queues = await Promise.all(
    ['requested', 'conditional'].map((s) => api('GET', `/v1/approvals?owner=${enc(session.me.id)}&status=${s}`)),
  );
  const waiting = queues.flat().sort((a, b) => a.requestedAt.localeCompare(b.requestedAt));
  // One card per intent: an agent's request_action whose tool call followed is decided on that call's card.
  const ids = new Set(waiting.map((r) => r.approvalId));
  const rows = waiting.filter((r) => !(r.subject && r.subject.followedBy && ids.has(r.subject.followedBy)));
  const linked = new Set(
    rows.flatMap((r) => (r.subject && r.subject.follows && ids.has(r.subject.follows) ? [r.subject.follows] : [])),
  );
  const cards = await Promise.all(
    rows.map(async (row) => {
      // A change to a workflow belongs to no work order: its card shows the change and its diff.
      if (row.kind === 'workflow-change' || !row.workOrderId)
        return changeCard(row, await api('GET', `/v1/approvals/${row.approvalId}`));
      const [approval, wo, decided] = await Promise.all([
        api('GET', `/v1/approvals/${row.approvalId}`),
        handoff(row.workOrderId),
        decisions(row.workOrderId),
      ]);
      const decision =
        (decided || []).find((d) => d.approvalId === row.approvalId || d.actionId === row.actionId) || null;
      return approvalCard(row, approval, wo, decision, linked);
    }),
  );
  const list = $('#approvals-list');
  list.replaceChildren(...cardsOr(cards, 'Nothing waits for you.'));
  return `${rows.length} approval${rows.length === 1 ? '' : 's'} waiting for ${session.me.id}.`;
}

function approvalCard(row, approval, wo, decision, linked) {
  const id = `approval-${row.approvalId}`;
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
          workOrderLink(row.workOrderId, wo),
          wo ? h('span', { class: 'muted', text: ` · ${wo.source} · ${wo.workflow.title}` }) : null,
        ),
      ],
      ['Requested by', approval.requestedBy],
      ['Waiting', timeCell(approval.requestedAt, roughDuration(since(approval.requestedAt) / 1000))],
      ['Due', timeCell(approval.expiresAt, due(approval.expiresAt))],
      ['Rule', decision ? decision.rule || 'the workflow boundary' : `gate: ${approval.kind || 'approval'}`],
      ['Why', decision ? decision.message : null],
      [
        'Policy',
        decision
          ? `${decision.policy.jobType} v${decision.policy.version}`
          : wo
            ? `${wo.jobType} v${wo.workflow.version}`
            : row.jobType,
      ],
      ...subjectRows(subject, approval),
      ['Approval', h('span', { class: 'muted', title: row.approvalId, text: shortId(row.approvalId) })],
    ]),
    argumentList(subject),
  );
  const also = subject && subject.follows && linked.has(subject.follows) ? subject.follows : null;
  if (approval.status === 'requested') card.append(...decisionControls(approval, heading, { also }));
  if (approval.status === 'conditional') card.append(conditionList(approval));
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
  if (approval.status === 'requested') card.append(...decisionControls(approval, heading, { conditions: false }));
  return card;
}

function decisionControls(approval, heading, { conditions = true, also = null } = {}) {
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
    await act(button, `${done}: ${heading}.`, `/v1/approvals/${approval.approvalId}/decision`, body(decision));
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

function conditionList(approval) {
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
