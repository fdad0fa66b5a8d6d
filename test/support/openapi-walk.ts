import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type {
  ActionAnswer,
  ApprovalView,
  CreatedWebhook,
  ExceptionCode,
  ExceptionView,
  OpenedAnswer,
  PublishWorkflowResult,
  SimulateResult,
  StepAnswer,
  WorkflowDraft,
} from '@workgate/contracts';
import { defined } from './answers';
import { eventually } from './processes';
import { Call, expecting, Morning } from './openapi-walk-day';

/**
 * The first part of the walk that calls every route of the API at least once with success and once
 * with a refusal, in the order a real day needs them: operations, a webhook, workflows, drafts and
 * proposals, the exception-code catalog, a support-recovery work order, its actions, the approval
 * of its refund, its steps and exceptions. walkTheDay goes on from there.
 */
export async function walkTheMorning(as: Record<string, Call>): Promise<Morning> {
  const { ok, refused, unknownId } = expecting();

  // Operations: health and metrics need no key; a URL with U+0000 is refused.
  await ok(as.anonymous('GET', '/health'));
  await ok(as.anonymous('GET', '/metrics'));
  await refused(as.anonymous('GET', '/health?x=%00'), 422);
  await refused(as.anonymous('GET', '/metrics?x=%00'), 422);
  await refused(as.anonymous('GET', '/health', undefined, { 'X-Padding': 'p'.repeat(17 * 1024) }), 431);

  // A webhook for every notification: the walk below makes its deliveries.
  const webhook = await ok(
    as.admin<CreatedWebhook>('POST', '/v1/webhooks', { url: 'http://127.0.0.1:9/hook', events: ['*'] }),
    201,
  );
  await refused(as.admin('POST', '/v1/webhooks', { url: 'ftp://127.0.0.1/hook', events: ['*'] }), 422);

  // Workflows and the exception-code catalog.
  const yaml = readFileSync(join(__dirname, '..', '..', 'workflows', 'support-recovery.yaml'), 'utf8');
  await ok(
    as.admin<PublishWorkflowResult>('POST', '/v1/workflows', yaml.replace(/^version: \d+/m, 'version: 2'), {
      'Content-Type': 'application/yaml',
    }),
    201,
  );
  await refused(as.admin('POST', '/v1/workflows', 'x', { 'Content-Type': 'text/plain' }), 415);
  await refused(
    as.admin('POST', '/v1/workflows', yaml.replace(/^title: .*$/m, 'title: Changed'), {
      'Content-Type': 'application/yaml',
    }),
    409,
  );
  await ok(as.analyst('GET', '/v1/workflows'));
  await refused(as.anonymous('GET', '/v1/workflows'), 401);
  await ok(as.analyst('GET', '/v1/workflows/support-recovery'));
  await refused(as.analyst('GET', '/v1/workflows/no-such-job'), 404);
  await ok(as.analyst('GET', '/v1/workflows/support-recovery/versions/1'));
  await refused(as.analyst('GET', '/v1/workflows/support-recovery/versions/99'), 404);
  await ok(as.analyst('GET', '/v1/workflows/support-recovery/versions/1/map'), 200);
  await refused(as.analyst('GET', '/v1/workflows/support-recovery/versions/99/map'), 404);
  await ok(
    as.analyst<SimulateResult>('POST', '/v1/workflows/support-recovery/simulate', {
      definition: yaml.replace(/^version: \d+/m, 'version: 3'),
    }),
    200,
  );
  await refused(as.analyst('POST', '/v1/workflows/support-recovery/simulate', {}), 422);
  // Drafts, diffs and a proposal that widens the version in force (202: it waits for support-lead).
  const widening = yaml
    .replace(/^version: \d+/m, 'version: 3')
    .replace('write: [case.note]', 'write: [case.note, case.close]');
  const draft = await ok(
    as.admin<WorkflowDraft>('POST', '/v1/workflows/support-recovery/drafts', widening, {
      'Content-Type': 'application/yaml',
    }),
    201,
  );
  await refused(as.admin('POST', '/v1/workflows/support-recovery/drafts', 'x', { 'Content-Type': 'text/plain' }), 415);
  await ok(as.analyst('GET', '/v1/workflows/support-recovery/drafts'), 200);
  await refused(as.anonymous('GET', '/v1/workflows/support-recovery/drafts'), 401);
  await ok(as.analyst('GET', `/v1/workflows/support-recovery/drafts/${draft.draftId}`), 200);
  await refused(as.analyst('GET', `/v1/workflows/support-recovery/drafts/${unknownId}`), 404);
  await ok(
    as.admin('PUT', `/v1/workflows/support-recovery/drafts/${draft.draftId}`, widening, {
      'Content-Type': 'application/yaml',
    }),
    200,
  );
  await refused(
    as.admin('PUT', `/v1/workflows/support-recovery/drafts/${unknownId}`, widening, {
      'Content-Type': 'application/yaml',
    }),
    404,
  );
  await ok(as.analyst('POST', `/v1/workflows/support-recovery/drafts/${draft.draftId}/simulate`, {}), 200);
  await refused(
    as.analyst('POST', `/v1/workflows/support-recovery/drafts/${draft.draftId}/simulate`, { from: 'yesterday' }),
    422,
  );
  await ok(as.analyst('GET', `/v1/workflows/support-recovery/diff?from=1&to=${draft.draftId}`), 200);
  await refused(as.analyst('GET', '/v1/workflows/support-recovery/diff?from=1&to=99'), 404);
  const proposed = await ok(
    as.admin<{ changeId: string }>('POST', `/v1/workflows/support-recovery/drafts/${draft.draftId}/propose`),
    202,
  );
  await refused(as.admin('POST', `/v1/workflows/support-recovery/drafts/${unknownId}/propose`), 404);
  await ok(as.analyst('GET', '/v1/workflows/support-recovery/change-deciders'), 200);
  await refused(as.analyst('GET', '/v1/workflows/no-such-job/change-deciders'), 404);
  // The change waits: listed among the job type's pending changes once its approval is in the views.
  const listed = async () =>
    JSON.stringify(await ok(as.admin('GET', '/v1/workflows/support-recovery/changes'), 200)).includes(
      proposed.changeId,
    );
  await eventually(listed, 10_000, 'the proposed change among the pending changes');
  await refused(as.agent('GET', '/v1/workflows/support-recovery/changes'), 403);
  const withdraw = (changeId: string) =>
    as.admin('POST', `/v1/workflows/support-recovery/changes/${changeId}/withdraw`);
  await ok(withdraw(proposed.changeId), 200);
  await refused(withdraw(proposed.changeId), 409);
  await refused(withdraw(unknownId), 404);
  await ok(as.lead('GET', '/v1/exception-codes'));
  await refused(as.anonymous('GET', '/v1/exception-codes'), 401);
  await ok(
    as.admin<ExceptionCode>('POST', '/v1/exception-codes', {
      code: 'VENDOR_LATE',
      title: 'Vendor is late',
      owner: 'lead',
      sla: 'PT24H',
    }),
  );
  await refused(
    as.admin('POST', '/v1/exception-codes', { code: 'lower', title: 'x', owner: 'lead', sla: 'PT1H' }),
    422,
  );

  // A work order: open, list, state, events, delivery (JSON and HTML).
  const inputs = { caseId: 'C-1', orderId: 'O-1', orderPaid: true };
  const opened = await ok(
    as.helpdesk<OpenedAnswer>('POST', '/v1/work-orders', {
      jobType: 'support-recovery',
      externalRef: 'OA-1',
      source: 'helpdesk',
      inputs,
    }),
    201,
  );
  const id: string = opened.id;
  await refused(
    as.helpdesk('POST', '/v1/work-orders', { jobType: 'support-recovery', externalRef: 'OA-2', source: 'helpdesk' }),
    422,
  );
  await ok(as.helpdesk('GET', '/v1/work-orders?source=helpdesk&externalRef=OA-1'));
  await refused(as.helpdesk('GET', '/v1/work-orders?status=nope'), 422);
  await ok(as.helpdesk('GET', `/v1/work-orders/${id}`));
  await refused(as.helpdesk('GET', `/v1/work-orders/${unknownId}`), 404);
  await ok(as.lead('GET', `/v1/work-orders/${id}/events`));
  await refused(as.helpdesk('GET', `/v1/work-orders/${id}/events`), 403);
  await ok(as.helpdesk('GET', `/v1/work-orders/${id}/delivery`));
  await ok(as.helpdesk('GET', `/v1/work-orders/${id}/delivery`, undefined, { Accept: 'text/html' }));
  await refused(as.helpdesk('GET', `/v1/work-orders/${unknownId}/delivery`), 404);
  await ok(as.lead('GET', `/v1/work-orders/${id}/proof`));
  await ok(as.helpdesk('GET', `/v1/work-orders/${id}/proof?public=true`));
  await refused(as.helpdesk('GET', `/v1/work-orders/${id}/proof`), 403);
  await refused(as.lead('GET', `/v1/work-orders/${unknownId}/proof`), 404);
  await refused(as.lead('GET', `/v1/work-orders/${id}/proof?public=yes`), 422);
  await ok(as.agent('GET', `/v1/work-orders/${id}/decisions`));
  await refused(as.agent('GET', `/v1/work-orders/${unknownId}/decisions`), 404);
  await refused(as.helpdesk('GET', `/v1/work-orders/${id}/decisions`), 403);
  await ok(as.helpdesk('GET', '/v1/me'));
  await refused(as.anonymous('GET', '/v1/me'), 401);

  // Actions: run, and wait for the named owner; the approval queue, decisions, receipts.
  const note = await ok(
    as.agent<ActionAnswer>('POST', `/v1/work-orders/${id}/actions`, {
      system: 'helpdesk',
      operation: 'case.note',
      kind: 'write',
    }),
    201,
  );
  await refused(as.agent('POST', `/v1/work-orders/${id}/actions`, { system: 'helpdesk', kind: 'write' }), 422);
  await ok(as.agent('GET', `/v1/receipts/${note.receiptId}`));
  await ok(
    as.agent('POST', `/v1/work-orders/${id}/actions/${note.actionId}/result`, { resultSha256: 'c'.repeat(64) }),
    201,
  );
  await refused(
    as.agent('POST', `/v1/work-orders/${id}/actions/${note.actionId}/result`, { resultSha256: 'not a hash' }),
    422,
  );
  await refused(as.agent('GET', `/v1/receipts/${unknownId}`), 404);
  const refund = { system: 'payments', operation: 'refund', kind: 'write' as const };
  const waiting = await ok(as.agent<ActionAnswer>('POST', `/v1/work-orders/${id}/actions`, refund), 201);
  await ok(as['support-lead']('GET', '/v1/approvals?owner=support-lead'));
  await refused(as['support-lead']('GET', '/v1/approvals?limit=x'), 422);
  await ok(as['support-lead']('GET', '/v1/approvals?owner=support-lead&status=pending&limit=1'));
  await refused(as['support-lead']('GET', '/v1/approvals?limit=0'), 422);
  await refused(as['support-lead']('GET', '/v1/approvals?after=not*a*cursor'), 422);
  await refused(as['support-lead']('GET', '/v1/approvals?after=bm90LWEtY3Vyc29y'), 422);
  await ok(as['support-lead']('GET', `/v1/approvals/${waiting.approvalId}`));
  await ok(as.agent('GET', `/v1/approvals/${waiting.approvalId}`));
  await refused(as.analyst('GET', `/v1/approvals/${waiting.approvalId}`), 403);
  await refused(as['support-lead']('POST', `/v1/approvals/${waiting.approvalId}/decision`, { decision: 'maybe' }), 422);
  await ok(
    as['support-lead']<ApprovalView>('POST', `/v1/approvals/${waiting.approvalId}/decision`, {
      decision: 'conditional',
      permittedAction: refund,
      conditions: [{ id: 'c1', title: 'refund capped at 50' }],
    }),
  );
  await refused(
    as['support-lead']('POST', `/v1/approvals/${waiting.approvalId}/conditions/c9/close`, {
      evidence: { kind: 'memo', ref: 'm' },
    }),
    404,
  );
  await ok(
    as['support-lead']<ApprovalView>('POST', `/v1/approvals/${waiting.approvalId}/conditions/c1/close`, {
      evidence: { kind: 'memo', ref: 'm' },
    }),
  );

  // Steps, a blocked step's exception, remediations, resolution.
  await ok(as.agent('POST', `/v1/work-orders/${id}/steps/inspect-case/complete`, { evidence: [] }));
  await refused(as.agent('POST', `/v1/work-orders/${id}/steps/no-such-step/complete`, { evidence: [] }), 404);
  const blocked = await ok(
    as.agent<StepAnswer>('POST', `/v1/work-orders/${id}/steps/confirm-customer/block`, {
      code: 'CUSTOMER_UNREACHABLE',
      rationale: 'no answer',
    }),
    201,
  );
  await refused(
    as.agent('POST', `/v1/work-orders/${id}/steps/confirm-customer/block`, { code: 'NOT_A_CODE', rationale: 'x' }),
    422,
  );
  const exceptionId = defined(blocked.exception, 'exception of the blocked step').exceptionId;
  await ok(as.agent('GET', `/v1/exceptions/${exceptionId}`));
  await refused(as.agent('GET', `/v1/exceptions/${unknownId}`), 404);
  const withTask = await ok(
    as.agent<ExceptionView>('POST', `/v1/exceptions/${exceptionId}/remediations`, {
      title: 'call twice a day',
      owner: 'agent',
      due: 'P2D',
    }),
    201,
  );
  await refused(
    as.agent('POST', `/v1/exceptions/${exceptionId}/remediations`, { title: 'x', owner: 'agent', due: 'soon' }),
    422,
  );
  const taskId: string = withTask.remediations[0].taskId;
  await ok(
    as.agent<ExceptionView>('POST', `/v1/exceptions/${exceptionId}/remediations/${taskId}/close`, {
      evidence: { kind: 'call-log', ref: 'l' },
    }),
  );
  await refused(
    as.agent('POST', `/v1/exceptions/${exceptionId}/remediations/${taskId}/close`, {
      evidence: { kind: 'call-log', ref: 'l' },
    }),
    409,
  );
  await ok(as.agent('GET', '/v1/exceptions?owner=lead'));
  await ok(as.agent('GET', '/v1/exceptions?escalatedTo=lead'));
  await refused(as.agent('GET', '/v1/exceptions?status=closed'), 422);
  await ok(as.agent('POST', `/v1/exceptions/${exceptionId}/resolve`, { resolution: 'reached by email' }));
  await refused(as.agent('POST', `/v1/exceptions/${exceptionId}/resolve`, { resolution: 'again' }), 409);

  return { id, inputs, refund, webhookId: webhook.id };
}
