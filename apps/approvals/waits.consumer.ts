import { Inject, Injectable } from '@nestjs/common';
import { NatsConnection } from 'nats';
import { ActionDecidedData, GateRequestedData, ledgerSubject, RecordedEvent, Subjects, WorkflowVersion, WorkOrderEvents } from '@workgate/contracts';
import { ApprovalCommand } from '@workgate/domain';
import { DeadLetterSink, holdsText, LedgerReaction, ledgerHeadPosition, LedgerReactions, NATS_CONNECTION, Outcome, RpcClient } from '@workgate/messaging';
import { parseDuration } from '@workgate/workflow';
import { ApprovalsService } from './approvals.service';

const DEFAULT_TIMEOUT = 'PT24H';

/**
 * Every gate request recorded in the ledger opens an approval for its owner: a stage's or an
 * overlay's gate, a scope change's track, and the gate a `wait` decision asks for. Fed by a durable
 * consumer of the LEDGER stream (the log is the source), idempotent by approval id.
 *
 * Ledgers of earlier versions record a `wait` as its `ActionDecided` alone: the consumer those
 * versions read every decision with (`approvals-waits`) still runs, where it exists, until it has
 * handled everything recorded before this version started, and is then deleted.
 */
@Injectable()
export class WaitsConsumer extends LedgerReactions {
  private readonly timeouts = new Map<string, number>();

  constructor(
    private readonly approvals: ApprovalsService,
    private readonly rpc: RpcClient,
    @Inject(NATS_CONNECTION) nc: NatsConnection,
    sink: DeadLetterSink,
  ) {
    super(nc, sink, 'approvals');
  }

  protected reactions(): LedgerReaction[] {
    return [
      { durable: 'approvals-gates', subject: ledgerSubject('workorder-x', WorkOrderEvents.GateRequested), react: (e) => this.openGate(e) },
      {
        durable: 'approvals-waits',
        subject: ledgerSubject('workorder-x', WorkOrderEvents.ActionDecided),
        // Most decisions are `run` or `stop`: only a `wait` is decoded.
        mayConcern: holdsText('"decision":"wait"'),
        react: (e) => this.openWait(e),
        retiredAfter: ledgerHeadPosition(this.rpc),
      },
    ];
  }

  /** A `wait` as an earlier version recorded it: its `ActionDecided` only. */
  private async openWait(e: RecordedEvent): Promise<Outcome> {
    const d = e.data as unknown as ActionDecidedData;
    if (d.decision?.decision !== 'wait' || !d.approvalId) return { kind: 'ack' };
    const timeoutMs = await this.approvalTimeout(d.decision.policy.jobType, d.decision.policy.version);
    const { system, operation, kind, objects } = d.action;
    await this.request(e, {
      approvalId: d.approvalId,
      workOrderId: d.workOrderId,
      actionId: d.actionId,
      owner: d.decision.decisionOwner ?? 'unknown',
      action: { system, operation, kind, ...(objects ? { objects } : {}) },
      expiresAt: new Date(Date.parse(e.occurredAt) + timeoutMs).toISOString(),
      ...(d.gate ? { kind: d.gate } : {}),
    });
    return { kind: 'ack' };
  }

  /**
   * A gate request: a waiting action's (`source.actionId`), or a stage's gate, an overlay's gate or
   * a scope change's track, an approval of the work order rather than of one action.
   */
  private async openGate(e: RecordedEvent): Promise<Outcome> {
    const d = e.data as unknown as GateRequestedData;
    const timeoutMs = await this.approvalTimeout(d.policy.jobType, d.policy.version);
    await this.request(e, {
      approvalId: d.approvalId,
      workOrderId: d.workOrderId,
      // The waiting action, or else the gate request itself, is what asks for this approval.
      actionId: d.source.actionId ?? e.eventId,
      owner: d.owner,
      action: d.action,
      expiresAt: new Date(Date.parse(e.occurredAt) + timeoutMs).toISOString(),
      kind: d.kind,
    });
    return { kind: 'ack' };
  }

  private request(e: RecordedEvent, command: Omit<Extract<ApprovalCommand, { type: 'RequestApproval' }>, 'type' | 'requestedBy'>) {
    const requestedBy = String((e.metadata as { actor?: string }).actor ?? 'unknown');
    return this.approvals.execute(command.approvalId, { type: 'RequestApproval', requestedBy, ...command }, 'approvals', e.occurredAt);
  }

  private async approvalTimeout(jobType: string, version: number): Promise<number> {
    const key = `${jobType}@${version}`;
    let ms = this.timeouts.get(key);
    if (ms === undefined) {
      const def = await this.rpc.request<WorkflowVersion>(Subjects.policy.get, { jobType, version });
      ms = parseDuration(def.definition.approval?.timeout ?? DEFAULT_TIMEOUT)!;
      this.timeouts.set(key, ms);
    }
    return ms;
  }
}
