import { Inject, Injectable } from '@nestjs/common';
import { NatsConnection } from 'nats';
import { ActionDecidedData, ledgerSubject, RecordedEvent, Subjects, WorkflowVersion, WorkOrderEvents } from '@workgate/contracts';
import { DeadLetterSink, LedgerReaction, LedgerReactions, NATS_CONNECTION, Outcome, RpcClient } from '@workgate/messaging';
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
    return [{ durable: 'approvals-waits', subject: ledgerSubject('workorder-x', WorkOrderEvents.ActionDecided), react: (e) => this.open(e) }];
  }

  private async open(e: RecordedEvent): Promise<Outcome> {
    const d = e.data as unknown as ActionDecidedData & { approvalId?: string };
    if (d.decision?.decision !== 'wait' || !d.approvalId) return { kind: 'ack' };
    const timeoutMs = await this.approvalTimeout(d.decision.policy.jobType, d.decision.policy.version);
    await this.approvals.execute(
      d.approvalId,
      {
        type: 'RequestApproval',
        approvalId: d.approvalId,
        workOrderId: d.workOrderId,
        actionId: d.actionId,
        owner: d.decision.decisionOwner ?? 'unknown',
        requestedBy: String((e.metadata as { actor?: string }).actor ?? 'unknown'),
        action: d.action,
        expiresAt: new Date(Date.parse(e.occurredAt) + timeoutMs).toISOString(),
      },
      'approvals',
      e.occurredAt,
    );
    return { kind: 'ack' };
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
