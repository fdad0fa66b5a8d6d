import { ApprovalOutcomeBody, refuse } from '@workgate/contracts';
import { recorder, WorkOrderContext } from './context';
import { isOpen } from './lifecycle';
import type { WorkOrder, WorkOrderEvent } from './work-order.state';

const sameTexts = (a: string[], b: string[]) => a.length === b.length && a.every((t, i) => t === b[i]);

/**
 * An approval's outcome comes back to its work order: approved releases the action that waited
 * (run), rejected or expired stops it; a gate opens or stays shut; a conditional one lists its open
 * conditions. An outcome already applied, or older than what the work order shows, records nothing.
 */
export function applyApprovalOutcome(body: ApprovalOutcomeBody, state: WorkOrder, ctx: WorkOrderContext): WorkOrderEvent[] {
  const { approvalId, outcome, decidedBy } = body;
  const record = state.approvals.get(approvalId);
  const waiting = [...state.actions.entries()].find(([, a]) => a.approvalId === approvalId);
  if (!record && !waiting) throw refuse('not_found', `work order ${state.id} has no approval ${approvalId}`);
  const event = recorder(ctx.meta);
  const by = decidedBy ? { decidedBy } : {};
  if (outcome === 'conditional') {
    const { openConditions = [], approvalVersion } = body;
    if (!record || !isOpen(record) || sameTexts(record.openConditions, openConditions)) return [];
    // Condition updates travel concurrently: one older than what the work order shows is stale.
    if (approvalVersion !== undefined && record.conditionsVersion !== undefined && approvalVersion <= record.conditionsVersion) return [];
    return [event('ApprovalConditional', { workOrderId: state.id, approvalId, openConditions, ...by, ...(approvalVersion !== undefined ? { approvalVersion } : {}) })];
  }
  if (waiting ? !waiting[1].pending : !isOpen(record)) return [];
  const resolved = event('ApprovalResolved', {
    workOrderId: state.id,
    ...(waiting ? { actionId: waiting[0], decision: outcome === 'approved' ? 'run' : 'stop' } : {}),
    approvalId,
    outcome,
    reason: outcome === 'approved' ? `approved by ${decidedBy ?? 'its owner'}` : `approval ${approvalId} ${outcome}`,
    ...by,
    ...(outcome === 'approved' && body.permittedAction ? { permittedAction: body.permittedAction } : {}),
  });
  return [resolved];
}
