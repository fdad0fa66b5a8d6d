import { BreakGlassDto, CloseExceptionBody, refuse } from '@workgate/contracts';
import { WorkOrderCommand } from './commands';
import { deterministicUuid } from '../ids';
import { rollbackNoteEvidence } from './rollback-note';
import { active, allowedCode, isBlank, raise, recorder, WorkOrderContext } from './context';
import type { OutcomeCommand, StreamEventAt } from './outcome-command';
import type { WorkOrder, WorkOrderEvent } from './work-order.state';

/**
 * Break-glass: a controlled urgent override. The action runs at once, under an exception (code
 * from the workflow's list, with a rationale) and with a post-review due for the workflow's
 * reviewer; both start their own streams in the same commit.
 */
export function useBreakGlass(body: BreakGlassDto, state: WorkOrder, ctx: WorkOrderContext): WorkOrderEvent[] {
  const wo = active(state);
  const { definition, postReviewDueMs } = ctx.workflow;
  const reviewer = definition.breakGlass?.reviewer;
  if (!definition.breakGlass?.allowed || postReviewDueMs === undefined || !reviewer) {
    throw refuse('break_glass_not_allowed', `${definition.jobType} v${definition.version} does not allow break-glass`);
  }
  const { code, rationale, action } = body;
  allowedCode(ctx, code);
  if (isBlank(rationale)) throw refuse('validation_failed', 'break-glass needs a rationale');
  const exception = raise(ctx, code, action.stepId ?? null, rationale);
  // Break-glass runs outside the boundary: a rollback note is not required, but kept (private) when given.
  const { facts, rollbackNote, ...request } = action;
  const actionId = deterministicUuid(ctx.meta.commandId, 'action');
  const evidence = rollbackNoteEvidence(rollbackNote, actionId);
  const postReviewId = deterministicUuid(ctx.meta.commandId, 'post-review');
  const dueAt = new Date(Date.parse(ctx.meta.now) + postReviewDueMs).toISOString();
  const event = recorder(ctx.meta);
  const used = event('BreakGlassUsed', {
    workOrderId: wo.id,
    ...exception,
    actionId,
    action: request,
    facts: facts ?? {},
    postReviewId,
    reviewer,
    postReviewDueAt: dueAt,
    ...(evidence.length ? { evidence } : {}),
  });
  return [used];
}

/** An exception of the work order was resolved in its own stream: it no longer blocks (nothing when already applied). */
export function closeException(body: CloseExceptionBody, state: WorkOrder, ctx: WorkOrderContext): WorkOrderEvent[] {
  const exception = state.exceptions.get(body.exceptionId);
  if (!exception) throw refuse('not_found', `work order ${state.id} has no exception ${body.exceptionId}`);
  if (!exception.open) return [];
  const event = recorder(ctx.meta);
  return [
    event('WorkOrderExceptionClosed', {
      workOrderId: state.id,
      exceptionId: exception.exceptionId,
      code: exception.code,
      ...(body.resolvedBy ? { resolvedBy: body.resolvedBy } : {}),
    }),
  ];
}

/**
 * The work-order command an exception's event causes, or none: resolved, it no longer blocks its
 * work order. The command id derives from the exception, so the resolution is applied once however
 * it arrives: in the resolution's own commit, or later from the ledger.
 */
export function exceptionOutcomeOf(
  exceptionId: string,
  e: StreamEventAt<'exception'>,
): OutcomeCommand<Extract<WorkOrderCommand, { type: 'CloseException' }>> | undefined {
  if (e.type !== 'ExceptionResolved') return undefined;
  const { resolvedBy } = e.data;
  return {
    commandId: deterministicUuid('exception-resolved', exceptionId),
    actor: resolvedBy ?? 'exceptions',
    channel: 'exceptions',
    command: { type: 'CloseException', exceptionId, ...(resolvedBy ? { resolvedBy } : {}) },
  };
}
