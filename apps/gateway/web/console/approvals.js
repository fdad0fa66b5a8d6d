// @ts-check
/* The console's approvals page: the approvals that wait for the signed-in approver, each with what it
 * permits, why it was asked and the controls to decide it or close its conditions with evidence. */
import { $, h } from '../shared/dom.js';
import { roughDuration } from '../shared/duration.js';
import { argumentList, subjectHeading, subjectRows } from './approval-subject.js';
import { badge, cardsOr, details, due, enc, shortId, since, timeCell, words, workOrderLink } from './parts.js';
import { approvalProgress, conditionList, decisionControls } from './approval-decision.js';
import { session } from './session.js';
import { counted, loadMore, pageSize, readPage } from './paged-list.js';

/** @typedef {import('@workgate/contracts/approvals').ApprovalView} ApprovalView */
/** @typedef {import('@workgate/contracts/approvals').QueueDecision} QueueDecision */
/** @typedef {import('@workgate/contracts/workflow-change').ChangeEffect} ChangeEffect */
/** @template R @typedef {import('./paged-list.js').Page<R>} Page */
/**
 * A row of the approval queue (GET /v1/approvals): the approval as its owner sees it, with the
 * approvals view's columns of its work order and the decision that held its action.
 * @typedef {ApprovalView & { externalRef?: string, source?: string, jobType?: string, decision?: QueueDecision }} QueueRow
 */
/**
 * Shows the approvals that wait for the signed-in approver, a page at a time (`limit=` in the
 * address, else PAGE); answers the status line.
 * @param {URLSearchParams} [params]
 */
export async function showApprovals(params) {
  const me = session.me?.id ?? '';
  const list = $('#approvals-list');
  list.replaceChildren(h('p', { class: 'empty', role: 'status', text: 'Loading the approvals that wait for you…' }));
  // One request a page: each row carries what its card shows (docs/api.md, Routes: `GET /v1/approvals`).
  /** @type {Page<QueueRow>} */
  const first = await readPage(`/v1/approvals?owner=${enc(me)}&status=pending&limit=${pageSize(params)}`);
  /** @type {Map<string, HTMLElement>} */
  const shown = new Map();
  list.replaceChildren();
  // A later page's cards go before "Load more", which stays last.
  /** @param {QueueRow[]} rows */
  const show = (rows) => {
    const cards = cardsOf(rows, shown);
    if (tail) tail.before(...cards);
    else list.append(...cards);
    return shown.size;
  };
  /** @type {HTMLElement | null} */
  let tail = null;
  tail = loadMore(first, show, (n, more) => `${counted(n, 'approval')} shown${more ? ', more to load' : ''}.`);
  if (shown.size === 0) list.replaceChildren(...cardsOr([], 'Nothing waits for you.'));
  list.append(tail);
  const also = first.next ? ', more to load' : '';
  return `${counted(shown.size, 'approval')} waiting for ${me}${also}.`;
}

/**
 * The cards of one page's rows, one per intent: an agent's request_action whose tool call followed is
 * decided on that call's card (its own card, shown on an earlier page, goes).
 * @param {QueueRow[]} rows
 * @param {Map<string, HTMLElement>} shown
 */
function cardsOf(rows, shown) {
  const ids = new Set([...shown.keys(), ...rows.map((r) => r.approvalId)]);
  /** @type {HTMLElement[]} */
  const cards = [];
  for (const row of rows) {
    const follows = row.subject && row.subject.follows;
    if (row.subject && row.subject.followedBy && ids.has(row.subject.followedBy)) continue;
    if (follows) {
      shown.get(follows)?.remove();
      shown.delete(follows);
    }
    const linked = new Set(follows && ids.has(follows) ? [follows] : []);
    // A change to a workflow belongs to no work order: its card shows the change and its diff.
    const card =
      row.kind === 'workflow-change' || !row.workOrderId ? changeCard(row) : approvalCard(row, row.workOrderId, linked);
    shown.set(row.approvalId, card);
    cards.push(card);
  }
  return cards;
}

/**
 * @param {QueueRow} row
 * @param {string} workOrderId
 * @param {Set<string>} linked
 */
function approvalCard(row, workOrderId, linked) {
  const approval = row;
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
          workOrderLink(workOrderId, row.externalRef ? { externalRef: row.externalRef } : null),
          row.source ? h('span', { class: 'muted', text: ` · ${row.source} · ${row.jobType}` }) : null,
        ),
      ],
      ['Requested by', approval.requestedBy],
      ['Waiting', timeCell(approval.requestedAt, roughDuration(since(approval.requestedAt) / 1000))],
      ['Due', timeCell(approval.expiresAt, due(approval.expiresAt))],
      ['Rule', decision ? decision.rule || 'the workflow boundary' : `gate: ${approval.kind || 'approval'}`],
      ['Why', decision ? decision.message : null],
      ['Approvals', approvalProgress(approval)],
      ['Policy', decision ? `${decision.policy.jobType} v${decision.policy.version}` : row.jobType],
      ...subjectRows(subject, approval),
      ['Approval', h('span', { class: 'muted', title: row.approvalId, text: shortId(row.approvalId) })],
    ]),
    argumentList(subject),
  );
  const also = subject && subject.follows && linked.has(subject.follows) ? subject.follows : null;
  // An approver of several who decided already sees how far it got, not the buttons again.
  const me = session.me?.id ?? '';
  const mine = (approval.approvals || []).find((d) => d.by === me);
  if (approval.status === 'requested' && mine)
    card.append(
      h('p', {
        class: 'muted decided',
        text: `You decided: ${words(mine.decision)}; it waits for ${approval.required} approvers.`,
      }),
    );
  else if (approval.status === 'requested') card.append(...decisionControls(approval, heading, { also, card }));
  if (approval.status === 'conditional') card.append(conditionList(approval, card, heading));
  return card;
}

/**
 * How each effect on the boundary looks: a widening asks for attention.
 * @type {Record<ChangeEffect, string>}
 */
const EFFECT_LOOK = { widens: 'wait', narrows: 'run', neutral: '' };

/**
 * A workflow-change (or pattern-change) approval: the version proposed, each change with its effect and sentence, approve or reject.
 * @param {QueueRow} row
 */
function changeCard(row) {
  const approval = row;
  const id = `approval-${row.approvalId}`;
  const pattern = row.patternChange;
  const change = pattern
    ? { ...pattern, jobType: pattern.name }
    : row.change || { jobType: row.jobType, fromVersion: '?', version: '?', changes: [] };
  const heading = `${pattern ? 'Pattern' : 'Workflow'} change: ${change.jobType} v${change.fromVersion} → v${change.version}`;
  const widening = change.changes.filter((c) => c.effect === 'widens').length;
  const card = h(
    'article',
    {
      class: 'card',
      'aria-labelledby': `${id}-title`,
      'data-approval': row.approvalId,
      'data-kind': pattern ? 'pattern-change' : 'workflow-change',
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
