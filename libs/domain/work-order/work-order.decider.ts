import { refuse, WorkOrderCommand } from '@workgate/contracts';
import { requestAction, recordActionResult } from './actions';
import { applyApprovalOutcome } from './approval-outcomes';
import { closeWorkOrder, reopenWorkOrder, reportClosure, stopWorkOrder } from './closure';
import { Decided, WorkOrderContext } from './context';
import { dispatchDelegation } from './delegations';
import { closeException, useBreakGlass } from './exceptions';
import { openWorkOrder } from './open';
import { changeScope } from './scope-changes';
import { recordStageArtifact } from './stages';
import { startedBy } from './starts';
import { blockStep, completeStep } from './steps';
import { evolveWorkOrder, initialWorkOrderState, WorkOrder, WorkOrderEvent, WorkOrderState } from './work-order.state';

const NOTHING: Decided = { events: [], starts: [] };

/**
 * Decides a work-order command against the current state: refuses with a stable code, or returns
 * the events to record and the streams the command starts (all committed together). Pure: time,
 * the workflow version and the catalog come in `ctx`; event ids derive from the command id, so a
 * retried command records nothing new (and a command already handled decides nothing).
 */
export function decideWorkOrder(command: WorkOrderCommand, state: WorkOrderState, ctx: WorkOrderContext): Decided {
  if (state.status !== 'none' && state.handled.has(ctx.meta.commandId)) return NOTHING;
  let events: WorkOrderEvent[];
  if (command.type === 'OpenWorkOrder') events = openWorkOrder(command.body, state, ctx);
  else if (state.status === 'none') throw refuse('not_found', 'no such work order');
  else events = decideOn(command, state, ctx);
  return { events, starts: events.flatMap((e) => startedBy(e, ctx.workflow)) };
}

/** The events a command on an existing work order records. */
function decideOn(
  command: Exclude<WorkOrderCommand, { type: 'OpenWorkOrder' }>,
  state: WorkOrder,
  ctx: WorkOrderContext,
): WorkOrderEvent[] {
  switch (command.type) {
    case 'RequestAction':
      return requestAction(command.body, state, ctx);
    case 'RecordActionResult':
      return recordActionResult(command.actionId, command.body, state, ctx);
    case 'UseBreakGlass':
      return useBreakGlass(command.body, state, ctx);
    case 'CompleteStep':
      return completeStep(command.stepId, command.body, state, ctx);
    case 'BlockStep':
      return blockStep(command.stepId, command.body, state, ctx);
    case 'RecordStageArtifact':
      return recordStageArtifact(command.stageId, command.body, state, ctx);
    case 'ChangeScope':
      return changeScope(command.body, state, ctx);
    case 'DispatchDelegation':
      return dispatchDelegation(command.body, state, ctx);
    case 'CloseWorkOrder':
      return closeWorkOrder(command.body, state, ctx);
    case 'ReportClosure':
      return reportClosure(command.body, state, ctx);
    case 'ReopenWorkOrder':
      return reopenWorkOrder(command.body, state, ctx);
    case 'StopWorkOrder':
      return stopWorkOrder(command.body, state, ctx);
    case 'ApplyApprovalOutcome':
      return applyApprovalOutcome(command.body, state, ctx);
    case 'CloseException':
      return closeException(command.body, state, ctx);
    default: {
      const never: never = command;
      throw new Error(`unknown command ${JSON.stringify(never)}`);
    }
  }
}

/** The work-order aggregate (`workorder-<id>`), for specifications and stores. */
export const workOrders = {
  stream: 'workorder' as const,
  initial: initialWorkOrderState,
  evolve: evolveWorkOrder,
  decide: decideWorkOrder,
};
