import { ApprovalOutcomeBody, refuse } from '@workgate/contracts';
import { WorkOrderCommand } from './commands';
import { deterministicUuid } from '../ids';
import { recorder, WorkOrderContext } from './context';
import { isOpen } from './lifecycle';
import type { OutcomeCommand, StreamEventAt } from './outcome-command';
import type { WorkOrder, WorkOrderEvent } from './work-order.state';

const sameTexts = (a: string[], b: string[]) => a.length === b.length && a.every((t, i) => t === b[i]);

/**
 * An approval's outcome comes back to its work order: approved releases the action that waited
 * (run), rejected or expired stops it; a gate opens or stays shut; a conditional one lists its open
 * conditions. An outcome already applied, or older than what the work order shows, records nothing.
 */
export function applyApprovalOutcome(
  body: ApprovalOutcomeBody,
  state: WorkOrder,
  ctx: WorkOrderContext,
): WorkOrderEvent[] {
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
    if (
      approvalVersion !== undefined &&
      record.conditionsVersion !== undefined &&
      approvalVersion <= record.conditionsVersion
    )
      return [];
    return [
      event('ApprovalConditional', {
        workOrderId: state.id,
        approvalId,
        openConditions,
        ...by,
        ...(approvalVersion !== undefined ? { approvalVersion } : {}),
      }),
    ];
  }
  if (waiting ? !waiting[1].pending : !isOpen(record)) return [];
  const resolved = event('ApprovalResolved', {
    workOrderId: state.id,
    ...(waiting ? { actionId: waiting[0], decision: outcome === 'approved' ? 'run' : 'stop' } : {}),
    approvalId,
    outcome,
    reason:
      outcome === 'approved'
        ? `approved by ${body.approvers?.join(' and ') ?? decidedBy ?? 'its owner'}`
        : `approval ${approvalId} ${outcome}`,
    ...by,
    ...(outcome === 'approved' && body.permittedAction ? { permittedAction: body.permittedAction } : {}),
    ...(outcome === 'approved' && body.approvers ? { approvers: body.approvers } : {}),
  });
  return [resolved];
}

/** What an approval's event asks of its work order. */
export type ApprovalOutcomeCommand = OutcomeCommand<Extract<WorkOrderCommand, { type: 'ApplyApprovalOutcome' }>>;

/**
 * The work-order command an approval's event causes, or none: approved releases the waiting action,
 * rejected or expired stops it; a conditional approval, and each condition closed while others stay
 * open, tells the work order which conditions are still open (the last one closing is followed by
 * ApprovalGranted, which resolves it). The command id derives from the approval (an outcome) or the
 * event (conditions), so the outcome is applied once however it arrives: in the decision's own
 * commit, or later from the ledger.
 */
export function approvalOutcomeOf(
  approvalId: string,
  e: StreamEventAt<'approval'>,
): ApprovalOutcomeCommand | undefined {
  const resolved = deterministicUuid('approval-outcome', approvalId);
  const outcome = (by: string | undefined, body: ApprovalOutcomeBody, commandId: string): ApprovalOutcomeCommand => ({
    commandId,
    actor: by ?? 'approvals',
    channel: 'approvals',
    command: { type: 'ApplyApprovalOutcome', ...body, ...(by ? { decidedBy: by } : {}) },
  });
  switch (e.type) {
    case 'ApprovalGranted':
      return outcome(
        e.data.decidedBy,
        {
          approvalId,
          outcome: 'approved',
          permittedAction: e.data.permittedAction,
          ...(e.data.approvers ? { approvers: e.data.approvers } : {}),
        },
        resolved,
      );
    case 'ApprovalRejected':
      return outcome(e.data.decidedBy, { approvalId, outcome: 'rejected' }, resolved);
    case 'ApprovalExpired':
      return outcome(undefined, { approvalId, outcome: 'expired' }, resolved);
    case 'ApprovalConditioned':
    case 'ApprovalConditionClosed': {
      const conditioned = e.type === 'ApprovalConditioned';
      const openConditions = conditioned ? e.data.conditions.map((c) => c.text) : e.data.openConditions;
      if (!openConditions || openConditions.length === 0) return undefined;
      const by = conditioned ? e.data.decidedBy : e.data.closedBy;
      return outcome(
        by,
        { approvalId, outcome: 'conditional', openConditions, approvalVersion: e.streamVersion },
        deterministicUuid('approval-conditions', e.eventId),
      );
    }
    default:
      return undefined;
  }
}
