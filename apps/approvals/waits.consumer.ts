import { Inject, Injectable } from '@nestjs/common';
import { NatsConnection } from 'nats';
import { ActionDecidedData, GateRequestedData, ledgerSubject, RecordedEvent, Subjects, WorkflowVersion, WorkOrderEvents } from '@workgate/contracts';
import { ApprovalCommand } from '@workgate/domain';
import { DeadLetterSink, holdsText, LedgerReaction, LedgerReactions, NATS_CONNECTION, Outcome, RpcClient } from '@workgate/messaging';
import { parseDuration } from '@workgate/workflow';
import { ApprovalsService } from './approvals.service';

const DEFAULT_TIMEOUT = 'PT24H';

/**
 * Every `wait` decision recorded in the ledger opens an approval for its decision owner. Fed by a
 * durable consumer of the LEDGER stream (the log is the source), idempotent by approval id.
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
      {
        durable: 'approvals-waits',
        subject: ledgerSubject('workorder-x', WorkOrderEvents.ActionDecided),
        // Most decisions are `run` or `stop`: only a `wait` is decoded.
        mayConcern: holdsText('"decision":"wait"'),
        react: (e) => this.open(e),
      },
      { durable: 'approvals-gates', subject: ledgerSubject('workorder-x', WorkOrderEvents.GateRequested), react: (e) => this.openGate(e) },
    ];
  }

  private async open(e: RecordedEvent): Promise<Outcome> {
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

  /** A stage's gate, an overlay's gate or a scope change's track: an approval of the work order, not of one waiting action. */
  private async openGate(e: RecordedEvent): Promise<Outcome> {
    const d = e.data as unknown as GateRequestedData;
    const timeoutMs = await this.approvalTimeout(d.policy.jobType, d.policy.version);
    await this.request(e, {
      approvalId: d.approvalId,
      workOrderId: d.workOrderId,
      // The gate request is what asks for this approval.
      actionId: e.eventId,
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
