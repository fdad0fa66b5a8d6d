import { DispatchDelegationDto, refuse } from '@workgate/contracts';
import { parseDuration, timerProblem } from '@workgate/workflow';
import { decideDelegation, initialDelegationState, TimeoutContract } from '../delegation/delegation.decider';
import { deterministicUuid } from '../ids';
import { active, recorder, WorkOrderContext } from './context';
import type { WorkOrder, WorkOrderEvent } from './work-order.state';

/** The timeout contract when neither the workflow nor the request names one. */
export const DEFAULT_DELEGATION_CONTRACT = {
  initialWait: 'PT30M',
  reminderEvery: 'PT15M',
  backoff: 2,
  hardTimeout: 'PT4H',
};

/** The workflow's delegation contract, each part overridden by the request's; every duration ISO 8601. */
function timeoutContract(body: DispatchDelegationDto, ctx: WorkOrderContext): TimeoutContract {
  const c = { ...DEFAULT_DELEGATION_CONTRACT, ...ctx.workflow.definition.delegation, ...body.timeouts };
  const ms = (name: string, iso: string) => {
    const problem = timerProblem(iso);
    if (problem)
      throw refuse('validation_failed', `timeouts.${name} ${problem}`, [
        { path: `timeouts.${name}`, message: problem },
      ]);
    return parseDuration(iso)!;
  };
  const backoff = Number(c.backoff);
  if (!(backoff >= 1 && backoff <= 10))
    throw refuse('validation_failed', 'timeouts.backoff must be from 1 to 10', [
      { path: 'timeouts.backoff', message: 'must be from 1 to 10' },
    ]);
  return {
    initialWaitMs: ms('initialWait', c.initialWait),
    reminderEveryMs: ms('reminderEvery', c.reminderEvery),
    backoff,
    hardTimeoutMs: ms('hardTimeout', c.hardTimeout),
  };
}

/**
 * Dispatches a `delegate_task` or `execute` to a recipient's inbox under the timeout contract (the
 * prompt checked whole, no private planning paths): the work order records it, and the
 * delegation's own stream starts in the same commit, so the dispatch id can be confirmed at once.
 * Its owner, reminded while completion is not confirmed, is the workflow's owner.
 */
export function dispatchDelegation(
  body: DispatchDelegationDto,
  state: WorkOrder,
  ctx: WorkOrderContext,
): WorkOrderEvent[] {
  const wo = active(state);
  const dispatchId = deterministicUuid(ctx.meta.commandId, 'delegation');
  const events = decideDelegation(
    {
      type: 'Dispatch',
      dispatchId,
      workOrderId: wo.id,
      recipient: body.recipient,
      owner: ctx.workflow.definition.owner,
      by: ctx.meta.actor,
      command: body.command,
      prompt: body.prompt,
      timeouts: timeoutContract(body, ctx),
    },
    initialDelegationState(),
    { now: ctx.meta.now },
  );
  const dispatched = events[0];
  if (dispatched?.type !== 'DelegationDispatched') throw new Error('a dispatch records DelegationDispatched');
  return [recorder(ctx.meta)('TaskDelegated', dispatched.data)];
}
