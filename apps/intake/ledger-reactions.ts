import { Inject, Injectable } from '@nestjs/common';
import { NatsConnection } from 'nats';
import { ApprovalEvents, approvalStream, DelegationEvents, ExceptionEvents, exceptionStream, ReadStreamResult, RecordedEvent, Subjects, WorkgateError } from '@workgate/contracts';
import { deterministicUuid } from '@workgate/domain';
import { DeadLetterSink, LedgerReaction, LedgerReactions, NATS_CONNECTION, Outcome, RpcClient } from '@workgate/messaging';
import { WorkOrdersService } from './work-orders.service';

const APPROVAL_OUTCOMES: Record<string, 'approved' | 'rejected' | 'expired'> = {
  [ApprovalEvents.Granted]: 'approved',
  [ApprovalEvents.Rejected]: 'rejected',
  [ApprovalEvents.Expired]: 'expired',
};

/**
 * What other services decide comes back to the work order from the ledger: an approval's outcome
 * (approved releases the waiting action, rejected or expired stops it) and a resolved exception
 * (no longer blocks closure). Idempotent by the deciding event.
 */
@Injectable()
export class WorkOrderReactions extends LedgerReactions {
  constructor(
    private readonly workOrders: WorkOrdersService,
    private readonly rpc: RpcClient,
    @Inject(NATS_CONNECTION) nc: NatsConnection,
    sink: DeadLetterSink,
  ) {
    super(nc, sink, 'intake');
  }

  protected reactions(): LedgerReaction[] {
    return [
      { durable: 'intake-approval-outcomes', subject: 'ledger.approval.>', react: (e) => this.approvalOutcome(e) },
      { durable: 'intake-exception-outcomes', subject: `ledger.exception.${ExceptionEvents.Resolved}`, react: (e) => this.exceptionResolved(e) },
      { durable: 'intake-delegation-timeouts', subject: `ledger.delegation.${DelegationEvents.TimedOut}`, react: (e) => this.delegationTimedOut(e) },
    ];
  }

  /** The work order an aggregate belongs to, from the first event of its stream. */
  private async workOrderOf(streamId: string): Promise<string | undefined> {
    const stream = await this.rpc.request(Subjects.ledger.readStream, { streamId, limit: 1 });
    return (stream.events[0]?.data as { workOrderId?: string } | undefined)?.workOrderId;
  }

  private async apply(streamId: string, run: (workOrderId: string) => Promise<unknown>): Promise<Outcome> {
    const workOrderId = await this.workOrderOf(streamId);
    if (!workOrderId) return { kind: 'reject', reason: `${streamId} names no work order` };
    try {
      await run(workOrderId);
      return { kind: 'ack' };
    } catch (error) {
      if ((error as WorkgateError).code === 'not_found') return { kind: 'reject', reason: (error as Error).message };
      throw error;
    }
  }

  private async approvalOutcome(e: RecordedEvent): Promise<Outcome> {
    if (e.type === ApprovalEvents.Conditioned || e.type === ApprovalEvents.ConditionClosed) return this.approvalConditions(e);
    const outcome = APPROVAL_OUTCOMES[e.type];
    if (!outcome) return { kind: 'ack' };
    const approvalId = e.streamId.slice('approval-'.length);
    const decidedBy = (e.data as { decidedBy?: string }).decidedBy;
    return this.apply(approvalStream(approvalId), (workOrderId) =>
      this.workOrders.execute({
        address: { workOrderId },
        command: { type: 'ApplyApprovalOutcome', body: { approvalId, outcome, ...(decidedBy ? { decidedBy } : {}) } },
        meta: { commandId: deterministicUuid('approval-outcome', approvalId), actor: decidedBy ?? 'approvals', now: e.occurredAt, channel: 'approvals' },
      }),
    );
  }

  /** A conditional approval, and each condition closed, tells the work order which conditions are still open. */
  private approvalConditions(e: RecordedEvent): Promise<Outcome> | Outcome {
    const approvalId = e.streamId.slice('approval-'.length);
    const d = e.data as { decidedBy?: string; closedBy?: string; conditions?: Array<{ text: string }>; openConditions?: string[] };
    const openConditions = e.type === ApprovalEvents.Conditioned ? (d.conditions ?? []).map((c) => c.text) : d.openConditions;
    // The last condition closing is followed by ApprovalGranted, which resolves the approval.
    if (!openConditions || openConditions.length === 0) return { kind: 'ack' };
    const by = d.decidedBy ?? d.closedBy;
    return this.apply(approvalStream(approvalId), (workOrderId) =>
      this.workOrders.execute({
        address: { workOrderId },
        command: { type: 'ApplyApprovalOutcome', body: { approvalId, outcome: 'conditional', openConditions, approvalVersion: e.streamVersion, ...(by ? { decidedBy: by } : {}) } },
        meta: { commandId: deterministicUuid('approval-conditions', e.eventId), actor: by ?? 'approvals', now: e.occurredAt, channel: 'approvals' },
      }),
    );
  }

  /** A delegation nobody confirmed in time stops its work order with the reason. */
  private delegationTimedOut(e: RecordedEvent): Promise<Outcome> {
    const d = e.data as { dispatchId: string; workOrderId: string; reason: string };
    return this.apply(e.streamId, (workOrderId) =>
      this.workOrders.execute({
        address: { workOrderId },
        command: { type: 'StopWorkOrder', body: { reason: d.reason, ref: d.dispatchId } },
        meta: { commandId: deterministicUuid('delegation-timed-out', d.dispatchId), actor: 'approvals', now: e.occurredAt, channel: 'approvals' },
      }),
    );
  }

  private exceptionResolved(e: RecordedEvent): Promise<Outcome> {
    const exceptionId = e.streamId.slice('exception-'.length);
    const resolvedBy = (e.data as { resolvedBy?: string }).resolvedBy;
    return this.apply(exceptionStream(exceptionId), (workOrderId) =>
      this.workOrders.execute({
        address: { workOrderId },
        command: { type: 'CloseException', body: { exceptionId, ...(resolvedBy ? { resolvedBy } : {}) } },
        meta: { commandId: deterministicUuid('exception-resolved', exceptionId), actor: resolvedBy ?? 'exceptions', now: e.occurredAt, channel: 'exceptions' },
      }),
    );
  }
}
