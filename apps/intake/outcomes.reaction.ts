import { Inject, Injectable } from '@nestjs/common';
import { NatsConnection } from 'nats';
import { dataOf, eventOf, idOfStream, ledgerEventSubject, ledgerStreamSubjects, RecordedEvent, Subjects, WorkgateError, WorkOrderCommand } from '@workgate/contracts';
import { deterministicUuid } from '@workgate/domain';
import { DeadLetterSink, LedgerReaction, LedgerReactions, NATS_CONNECTION, Outcome, RpcClient } from '@workgate/messaging';
import { WorkOrdersService } from './work-orders.service';

/**
 * What other aggregates decide later comes back to its work order from the ledger: an approval's
 * outcome (approved releases the waiting action, rejected or expired stops it; conditions as they
 * stand), a resolved exception (it no longer blocks), a delegation nobody confirmed in time (the
 * work order stops). Each is a work-order command whose id derives from the deciding event.
 */
@Injectable()
export class OutcomeReactions extends LedgerReactions {
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
      { durable: 'intake-approval-outcomes', subject: ledgerStreamSubjects('approval'), react: (e) => this.approvalOutcome(e) },
      { durable: 'intake-exception-outcomes', subject: ledgerEventSubject('exception', 'ExceptionResolved'), react: (e) => this.exceptionResolved(e) },
      { durable: 'intake-delegation-timeouts', subject: ledgerEventSubject('delegation', 'DelegationTimedOut'), react: (e) => this.delegationTimedOut(e) },
    ];
  }

  /** Runs the command (from the service that decided `e`) on the work order the aggregate of `e` belongs to, named by the first event of its stream. */
  private async apply(e: RecordedEvent, channel: 'approvals' | 'exceptions', commandId: string, actor: string, command: WorkOrderCommand): Promise<Outcome> {
    const first = (await this.rpc.request(Subjects.ledger.readStream, { streamId: e.streamId, limit: 1 })).events[0];
    const workOrderId = (first?.data as { workOrderId?: unknown } | undefined)?.workOrderId;
    if (typeof workOrderId !== 'string') return { kind: 'reject', reason: `${e.streamId} names no work order` };
    try {
      await this.workOrders.execute({ address: { workOrderId }, command, meta: { commandId, actor, now: e.occurredAt, channel } });
      return { kind: 'ack' };
    } catch (error) {
      if ((error as WorkgateError).code === 'not_found') return { kind: 'reject', reason: (error as Error).message };
      throw error;
    }
  }

  private approvalOutcome(e: RecordedEvent): Promise<Outcome> | Outcome {
    const approvalId = idOfStream(e.streamId);
    const outcome = (by: string | undefined, body: Extract<WorkOrderCommand, { type: 'ApplyApprovalOutcome' }>['body'], commandId: string) =>
      this.apply(e, 'approvals', commandId, by ?? 'approvals', { type: 'ApplyApprovalOutcome', body: { ...body, ...(by ? { decidedBy: by } : {}) } });
    const granted = eventOf(e, 'approval', 'ApprovalGranted');
    const rejected = eventOf(e, 'approval', 'ApprovalRejected');
    const expired = eventOf(e, 'approval', 'ApprovalExpired');
    const resolved = deterministicUuid('approval-outcome', approvalId);
    if (granted) return outcome(granted.data.decidedBy, { approvalId, outcome: 'approved', permittedAction: granted.data.permittedAction }, resolved);
    if (rejected) return outcome(rejected.data.decidedBy, { approvalId, outcome: 'rejected' }, resolved);
    if (expired) return outcome(undefined, { approvalId, outcome: 'expired' }, resolved);
    // A conditional approval, and each condition closed, tells the work order which conditions are still open.
    const conditioned = eventOf(e, 'approval', 'ApprovalConditioned');
    const closed = eventOf(e, 'approval', 'ApprovalConditionClosed');
    const openConditions = conditioned ? conditioned.data.conditions.map((c) => c.text) : closed?.data.openConditions;
    // The last condition closing is followed by ApprovalGranted, which resolves the approval.
    if (!openConditions || openConditions.length === 0) return { kind: 'ack' };
    const by = conditioned?.data.decidedBy ?? closed?.data.closedBy;
    return outcome(by, { approvalId, outcome: 'conditional', openConditions, approvalVersion: e.streamVersion }, deterministicUuid('approval-conditions', e.eventId));
  }

  private exceptionResolved(e: RecordedEvent): Promise<Outcome> {
    const { exceptionId, resolvedBy } = dataOf(e, 'exception', 'ExceptionResolved');
    return this.apply(e, 'exceptions', deterministicUuid('exception-resolved', exceptionId), resolvedBy ?? 'exceptions', { type: 'CloseException', body: { exceptionId, ...(resolvedBy ? { resolvedBy } : {}) } });
  }

  /** A delegation nobody confirmed in time stops its work order with the reason. */
  private delegationTimedOut(e: RecordedEvent): Promise<Outcome> {
    const { dispatchId, reason } = dataOf(e, 'delegation', 'DelegationTimedOut');
    return this.apply(e, 'approvals', deterministicUuid('delegation-timed-out', dispatchId), 'approvals', { type: 'StopWorkOrder', body: { reason, ref: dispatchId } });
  }
}
