import {
  CloseWorkOrderDto,
  evidenceList,
  refuse,
  ReopenWorkOrderDto,
  ReportClosureDto,
  StopWorkOrderBody,
} from '@workgate/contracts';
import { isBlank, notClosed, recorder, WorkOrderContext } from './context';
import { openBlockers } from './handoff';
import { missingKinds } from './steps';
import type { WorkOrder, WorkOrderEvent } from './work-order.state';

/** Closure needs closure evidence (an id and every kind the workflow asks for) and nothing left open. */
export function closeWorkOrder(body: CloseWorkOrderDto, state: WorkOrder, ctx: WorkOrderContext): WorkOrderEvent[] {
  const wo = notClosed(state);
  const { definition } = ctx.workflow;
  const closureEvidenceId = body.closureEvidenceId ?? '';
  const evidence = evidenceList(body.evidence);
  const missing = missingKinds(definition.closure?.evidence, evidence);
  const noId = isBlank(closureEvidenceId);
  if (noId || missing.length) {
    const details = [
      ...(noId ? [{ field: 'closureEvidenceId', message: 'is required' }] : []),
      ...missing.map((kind) => ({ kind, message: 'evidence of this kind is required' })),
    ];
    const needs = [
      ...(noId ? ['a closureEvidenceId'] : []),
      ...(missing.length ? [`evidence of kind ${missing.join(', ')}`] : []),
    ].join(' and ');
    throw refuse('closure_evidence_required', `closing ${wo.id} needs ${needs}`, details);
  }
  const blockers = openBlockers(wo, definition);
  if (blockers.length)
    throw refuse(
      'open_blockers',
      `work order ${wo.id} has ${blockers.length} open blocker${blockers.length === 1 ? '' : 's'}`,
      blockers,
    );
  return [recorder(ctx.meta)('WorkOrderClosed', { workOrderId: wo.id, closureEvidenceId, evidence })];
}

/** A closure done in the source system: recorded even without evidence, and flagged when evidence is missing. */
export function reportClosure(body: ReportClosureDto, state: WorkOrder, ctx: WorkOrderContext): WorkOrderEvent[] {
  const wo = notClosed(state);
  const { definition } = ctx.workflow;
  const evidence = evidenceList(body.evidence);
  const event = recorder(ctx.meta)('WorkOrderClosureReported', {
    workOrderId: wo.id,
    source: ctx.meta.channel,
    closedAt: body.closedAt ?? ctx.meta.now,
    ...(body.note ? { note: body.note } : {}),
    evidence,
    evidenceMissing: missingKinds(definition.closure?.evidence, evidence).length > 0 || evidence.length === 0,
    openBlockers: openBlockers(wo, definition),
  });
  return [event];
}

export function reopenWorkOrder(body: ReopenWorkOrderDto, state: WorkOrder, ctx: WorkOrderContext): WorkOrderEvent[] {
  if (state.status !== 'closed' && state.status !== 'stopped')
    throw refuse('work_order_not_closed', `work order ${state.id} is neither closed nor stopped`);
  return [recorder(ctx.meta)('WorkOrderReopened', { workOrderId: state.id, reason: body.reason })];
}

/** Halts the work order with a reason (a delegation nobody confirmed in time); nothing when it is already closed or stopped. */
export function stopWorkOrder(body: StopWorkOrderBody, state: WorkOrder, ctx: WorkOrderContext): WorkOrderEvent[] {
  if (state.status === 'closed' || state.status === 'stopped') return [];
  return [
    recorder(ctx.meta)('WorkOrderStopped', {
      workOrderId: state.id,
      reason: body.reason,
      ...(body.ref ? { ref: body.ref } : {}),
    }),
  ];
}
