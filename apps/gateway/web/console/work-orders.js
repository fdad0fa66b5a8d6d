// @ts-check
/* The console's work orders: the search, and one work order's handoff, decisions, exceptions,
 * approvals, delegations and timeline. */
import { api, messageOf } from '../shared/api.js';
import { $, $as, h, setValueOf, status } from '../shared/dom.js';
import { actionText, ago, badge, details, due, enc, shortId, tableOf, timeCell, when, words } from './parts.js';
import { session } from './session.js';
import { downloadDelivery, downloadProof, eventSummary, isEvent, rollbackNotes } from './work-order-events.js';

/** @typedef {import('@workgate/contracts/ledger').WorkOrderListItem} WorkOrderListItem */
/** @typedef {import('@workgate/contracts/ledger').RecordedEvent} RecordedEvent */
/** @typedef {import('@workgate/contracts/work-order-reads').WorkOrderHandoff} WorkOrderHandoff */
/** @typedef {import('@workgate/contracts/work-order-reads').DecisionRecord} DecisionRecord */
/** @typedef {import('@workgate/contracts/approvals').ApprovalView} ApprovalView */
/** An approval as the work order lists it: read in full, or only as its gate names it. @typedef {ApprovalView | WorkOrderHandoff['pendingApprovals'][number]} ListedApproval */

/** @type {(query: URLSearchParams) => Promise<WorkOrderListItem[]>} */
const readWorkOrders = (query) => api('GET', `/v1/work-orders?${query}`);
/** @type {(id: string) => Promise<WorkOrderHandoff>} */
const readWorkOrder = (id) => api('GET', `/v1/work-orders/${enc(id)}`);
/** @type {(id: string) => Promise<DecisionRecord[]>} */
const readDecisions = (id) => api('GET', `/v1/work-orders/${enc(id)}/decisions`);
/** @type {(id: string) => Promise<RecordedEvent[]>} */
const readEvents = (id) => api('GET', `/v1/work-orders/${enc(id)}/events`);
/** @type {(id: string) => Promise<ApprovalView>} */
const readApproval = (id) => api('GET', `/v1/approvals/${id}`);

/**
 * Shows the work orders the search `params` name (the newest 100); answers the status line.
 * @param {URLSearchParams} params
 */
export async function showWorkOrders(params) {
  const form = $as('#work-order-search', HTMLFormElement);
  for (const name of ['externalRef', 'source', 'jobType', 'status']) setValueOf(form, name, params.get(name) || '');
  const query = new URLSearchParams();
  for (const [k, v] of params) if (v) query.set(k, v);
  query.set('limit', '100');
  const rows = await readWorkOrders(query);
  $('#work-orders-list').replaceChildren(
    tableOf(
      [
        { title: 'External ref', cell: (r) => h('a', { href: `#/work-orders/${r.id}`, text: r.externalRef }) },
        { title: 'Status', cell: (r) => badge(r.status) },
        { title: 'Job type', cell: (r) => `${r.jobType} v${r.version}` },
        { title: 'Source', cell: (r) => r.source },
        { title: 'Owner', cell: (r) => r.owner },
        { title: 'Opened', cell: (r) => timeCell(r.openedAt, ago(r.openedAt)) },
        { title: 'Last change', cell: (r) => timeCell(r.updatedAt, ago(r.updatedAt)) },
      ],
      rows,
      'No work order matches.',
    ),
  );
  return `${rows.length === 100 ? 'The newest 100' : rows.length} work order${rows.length === 1 ? '' : 's'}.`;
}

/**
 * Shows work order `id`: its handoff, decisions, exceptions, approvals, delegations and timeline; answers the status line.
 * @param {string} id
 */
export async function showWorkOrder(id) {
  const roles = session.me?.roles ?? [];
  const isLead = roles.includes('ops-lead');
  // Decisions carry the facts they were asked with: for approvers, operators and ops leads.
  const mayReadDecisions = roles.some((r) => ['approver', 'operator', 'ops-lead'].includes(r));
  const [wo, decided, events] = await Promise.all([
    readWorkOrder(id),
    mayReadDecisions ? readDecisions(id) : [],
    isLead ? readEvents(id) : null,
  ]);
  // Every approval its decisions or gates asked for; an analyst may not read approvals, and sees the open ones only.
  const approvalIds = [
    ...new Set([
      ...decided.flatMap((d) => (d.approvalId ? [d.approvalId] : [])),
      ...wo.pendingApprovals.map((a) => a.approvalId),
    ]),
  ];
  /** @type {ListedApproval[]} */
  const approvals = [];
  for (const listed of await Promise.all(
    approvalIds.map((a) => readApproval(a).catch(() => wo.pendingApprovals.find((p) => p.approvalId === a))),
  ))
    if (listed) approvals.push(listed);
  const delegations = (events || []).flatMap((e) => (isEvent(e, 'TaskDelegated') ? [e.data] : []));
  const notes = rollbackNotes(events || []);
  /** @param {string} what */
  const leadOnly = (what) =>
    h('p', {
      class: 'note muted',
      text: `${what} is shown to ops leads (the ledger events carry private evidence).`,
    });
  const box = $('#work-order');
  box.replaceChildren(
    h('h2', {}, wo.externalRef, ' ', badge(wo.status)),
    h('p', { class: 'muted', text: `${wo.workflow.title} · ${wo.source} · owner ${wo.owner}` }),
    h(
      'div',
      { class: 'columns' },
      h(
        'div',
        { class: 'panel' },
        h('h3', { text: 'Where it stands' }),
        details([
          ['Next action', wo.nextAction],
          ['Next owner', wo.nextOwner],
          [
            'Blockers',
            wo.blockers.length
              ? h(
                  'ul',
                  {},
                  wo.blockers.map((b) => h('li', { text: b })),
                )
              : 'none',
          ],
          ['Stage', wo.stages.length ? `${wo.stage} (next: ${wo.nextStage})` : null],
          ['Workflow', `${wo.jobType} v${wo.workflow.version}`],
          [
            'Closed',
            wo.closure
              ? `${when(wo.closure.at)}${wo.closure.evidenceMissing ? ' — without closure evidence' : ''}`
              : null,
          ],
          ['Reopened', wo.reopened ? `${wo.reopened} time${wo.reopened === 1 ? '' : 's'}` : null],
          [
            'Delivery page',
            h('button', {
              type: 'button',
              class: 'quiet',
              text: 'Download the delivery page',
              onclick: () => downloadDelivery(id, wo.externalRef).catch((error) => status(messageOf(error), true)),
            }),
          ],
          [
            'Proof package',
            h('button', {
              type: 'button',
              class: 'quiet',
              text: 'Download proof package',
              title: isLead
                ? 'With the events and private evidence (ops leads): every part verifies offline'
                : 'The client-safe package: no events, no private evidence',
              onclick: () => downloadProof(id, wo.externalRef, isLead).catch((error) => status(messageOf(error), true)),
            }),
          ],
        ]),
      ),
      h(
        'div',
        { class: 'panel' },
        h('h3', { text: 'Steps' }),
        tableOf(
          [
            { title: 'Step', cell: (s) => s.title },
            { title: 'Status', cell: (s) => badge(s.status) },
            { title: 'Evidence required', cell: (s) => s.evidenceRequired.join(', ') || '—' },
          ],
          wo.steps,
          'This workflow has no steps.',
        ),
      ),
    ),
    h('h3', { text: 'Decisions' }),
    tableOf(
      [
        { title: 'Decision', cell: (d) => badge(d.decision) },
        {
          title: 'Action',
          cell: (d) =>
            `${actionText(d.action)}${d.action.objects && d.action.objects.length ? ` · ${d.action.objects.join(', ')}` : ''}`,
        },
        { title: 'Why', cell: (d) => d.message || words(d.reason) },
        { title: 'Rule', cell: (d) => d.rule || 'boundary' },
        // Private evidence: the ledger events that carry it are read by ops leads only.
        ...(isLead && notes.size
          ? [
              {
                title: 'Rollback note',
                /** @param {DecisionRecord} d */
                cell: (d) => window.workgateMask(notes.get(d.actionId) ?? '—'),
              },
            ]
          : []),
        { title: 'Policy', cell: (d) => `v${d.policy.version}` },
        { title: 'When', cell: (d) => timeCell(d.at, ago(d.at)) },
        {
          title: 'Receipt',
          cell: (d) =>
            h('a', {
              href: `#/receipts/${d.receiptId}`,
              'aria-label': `Receipt of the ${d.decision} decision on ${actionText(d.action)}`,
              text: `receipt ${shortId(d.receiptId)}`,
            }),
        },
      ],
      decided,
      mayReadDecisions
        ? 'No action has been decided yet.'
        : 'Decisions are shown to approvers, operators and ops leads (they carry the facts each action was asked with).',
    ),
    h('h3', { text: 'Open exceptions' }),
    tableOf(
      [
        { title: 'Code', cell: (e) => e.code },
        { title: 'Due', cell: (e) => timeCell(e.dueAt, due(e.dueAt)) },
        { title: 'Owner', cell: (e) => e.owner },
        { title: 'Step', cell: (e) => e.stepId || '—' },
        { title: 'Rationale', cell: (e) => e.rationale },
      ],
      wo.openExceptions,
      'No open exception.',
    ),
    h('h3', { text: 'Approvals' }),
    tableOf(
      [
        { title: 'Status', cell: (a) => badge(a.status) },
        {
          title: 'For',
          cell: (a) =>
            'requestedAction' in a && a.requestedAction ? actionText(a.requestedAction) : `gate: ${a.kind}`,
        },
        {
          title: 'Owner',
          cell: (a) =>
            a.owner === session.me?.id && ['requested', 'conditional'].includes(a.status)
              ? h('a', { href: '#/approvals', text: `${a.owner} (you)` })
              : a.owner,
        },
        { title: 'Decided by', cell: (a) => ('decidedBy' in a && a.decidedBy) || '—' },
        {
          title: 'Asked',
          cell: (a) => ('requestedAt' in a && a.requestedAt ? timeCell(a.requestedAt, ago(a.requestedAt)) : ''),
        },
      ],
      approvals,
      'No approval asked for.',
    ),
    h('h3', { text: 'Delegations' }),
    isLead
      ? tableOf(
          [
            { title: 'Recipient', cell: (d) => d.recipient },
            // The ledger event holds the prompt as sent: shown masked, as every inbox shows it.
            { title: 'Objective', cell: (d) => (d.prompt.objective ? window.workgateMask(d.prompt.objective) : '—') },
            { title: 'Command', cell: (d) => words(d.command) },
            { title: 'Sent', cell: (d) => timeCell(d.dispatchCreatedAt, ago(d.dispatchCreatedAt)) },
            { title: 'Times out', cell: (d) => timeCell(d.timeoutAt, due(d.timeoutAt)) },
          ],
          delegations,
          'Nothing was delegated.',
        )
      : leadOnly('Who the work was delegated to'),
    h('h3', { text: 'Timeline' }),
    isLead
      ? tableOf(
          [
            { title: 'Event', cell: (e) => words(e.type) },
            { title: 'What', cell: (e) => eventSummary(e.data) },
            { title: 'When', cell: (e) => timeCell(e.occurredAt, when(e.occurredAt)) },
            { title: 'By', cell: (e) => (typeof e.metadata.actor === 'string' ? e.metadata.actor : '') },
            { title: 'Ledger position', num: true, cell: (e) => String(e.position) },
          ],
          events || [],
          'No events.',
        )
      : leadOnly('The timeline of its ledger events'),
  );
  document.title = `${wo.externalRef} — workgate console`;
  return `Work order ${wo.externalRef}: ${wo.status}.`;
}
