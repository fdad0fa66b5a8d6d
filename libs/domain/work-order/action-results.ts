import { RecordActionResultDto, refuse } from '@workgate/contracts';
import { active, recorder, WorkOrderContext } from './context';
import type { WorkOrder, WorkOrderEvent } from './work-order.state';

/**
 * What a run action's tool call answered, recorded once (the MCP gateway forwards the call and
 * records the hash of the result): the receipt of the call itself. A repeat records nothing.
 */
export function recordActionResult(
  actionId: string,
  body: RecordActionResultDto,
  state: WorkOrder,
  ctx: WorkOrderContext,
): WorkOrderEvent[] {
  const wo = active(state);
  const a = wo.actions.get(actionId);
  if (!a) throw refuse('not_found', `work order ${wo.id} has no action ${actionId}`);
  if (a.decision !== 'run')
    throw refuse(
      'validation_failed',
      `action ${actionId} was decided ${a.decision}: only an action that may run has a result`,
    );
  if (a.requestedBy !== undefined && a.requestedBy !== ctx.meta.actor)
    throw refuse('forbidden', `only ${a.requestedBy}, who asked for action ${actionId}, may record its result`);
  if (a.performed === body.resultSha256) return [];
  if (a.performed)
    throw refuse('result_recorded', `action ${actionId} already has a recorded result (${a.performed}), not this one`);
  return [
    recorder(ctx.meta)('ActionPerformed', {
      workOrderId: wo.id,
      actionId,
      ...(a.argumentsSha256 ? { argumentsSha256: a.argumentsSha256 } : {}),
      resultSha256: body.resultSha256,
      isError: body.isError === true,
    }),
  ];
}
