import { refuse } from '@workgate/contracts';
import { Aggregate, versionedEventId } from '../aggregate';
import { requestAction } from './actions';
import { recordActionResult } from './action-results';
import { applyApprovalOutcome } from './approval-outcomes';
import { closeWorkOrder, reopenWorkOrder, reportClosure, stopWorkOrder } from './closure';
import { WorkOrderCommand } from './commands';
import { WorkOrderContext } from './context';
import { dispatchDelegation } from './delegations';
import { closeException, useBreakGlass } from './exceptions';
import { openWorkOrder } from './open';
import { changeScope } from './scope-changes';
import { recordStageArtifact } from './stages';
import { blockStep, completeStep } from './steps';
import { evolveWorkOrder, initialWorkOrderState, WorkOrder, WorkOrderEvent, WorkOrderState } from './work-order.state';

/**
 * Decides a work-order command against the current state: refuses with a stable code, or returns
 * the events to record (the streams they start derive from them: `startsOf`). Pure: time, the
 * workflow version and the catalog come in `ctx`; event ids derive from the command id, so a
 * retried command records nothing new (and a command already handled decides nothing).
 */
export function decideWorkOrder(
  command: WorkOrderCommand,
  state: WorkOrderState,
  ctx: WorkOrderContext,
): WorkOrderEvent[] {
  if (state.status !== 'none' && state.handled.has(ctx.meta.commandId)) return [];
  if (command.type === 'OpenWorkOrder') return openWorkOrder(command, state, ctx);
  if (state.status === 'none') throw refuse('not_found', 'no such work order');
  return decideOn(command, state, ctx);
}

/** The events a command on an existing work order records. */
function decideOn(
  command: Exclude<WorkOrderCommand, { type: 'OpenWorkOrder' }>,
  state: WorkOrder,
  ctx: WorkOrderContext,
): WorkOrderEvent[] {
  switch (command.type) {
    case 'RequestAction':
      return requestAction(command, state, ctx);
    case 'RecordActionResult':
      return recordActionResult(command.actionId, command, state, ctx);
    case 'UseBreakGlass':
      return useBreakGlass(command, state, ctx);
    case 'CompleteStep':
      return completeStep(command.stepId, command, state, ctx);
    case 'BlockStep':
      return blockStep(command.stepId, command, state, ctx);
    case 'RecordStageArtifact':
      return recordStageArtifact(command.stageId, command, state, ctx);
    case 'ChangeScope':
      return changeScope(command, state, ctx);
    case 'DispatchDelegation':
      return dispatchDelegation(command, state, ctx);
    case 'CloseWorkOrder':
      return closeWorkOrder(command, state, ctx);
    case 'ReportClosure':
      return reportClosure(command, state, ctx);
    case 'ReopenWorkOrder':
      return reopenWorkOrder(command, state, ctx);
    case 'StopWorkOrder':
      return stopWorkOrder(command, state, ctx);
    case 'ApplyApprovalOutcome':
      return applyApprovalOutcome(command, state, ctx);
    case 'CloseException':
      return closeException(command, state, ctx);
    default: {
      const never: never = command;
      throw new Error(`unknown command ${JSON.stringify(never)}`);
    }
  }
}

/** The work-order aggregate (`workorder-<id>`): its events carry the ids their command fixed. */
export const workOrders: Aggregate<WorkOrderState, WorkOrderCommand, WorkOrderEvent, WorkOrderContext> = {
  stream: 'workorder',
  initial: initialWorkOrderState,
  evolve: evolveWorkOrder,
  decide: decideWorkOrder,
  eventId: versionedEventId('workorder'),
};
