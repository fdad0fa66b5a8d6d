import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { NatsConnection } from 'nats';
import { ActionDecidedData, ledgerSubject, RecordedEvent, Subjects, WorkflowVersion, WorkOrderEvents } from '@workgate/contracts';
import { WorkgateConfig } from '@workgate/config';
import { createPool, recordDeadLetter } from '@workgate/event-store';
import { describeForDeadLetter, NATS_CONNECTION, Outcome, RpcClient, RunningConsumer, runLedgerReaction } from '@workgate/messaging';
import { parseDuration } from '@workgate/workflow';
import { ApprovalsService } from './approvals.service';

const DEFAULT_TIMEOUT = 'PT24H';
const DURABLE = 'approvals-waits';

/**
 * Every `wait` decision recorded in the ledger opens an approval for its decision owner. Fed by a
 * durable consumer of the LEDGER stream (the log is the source), idempotent by approval id.
 */
@Injectable()
export class WaitsConsumer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('approvals');
  private consumer?: RunningConsumer;
  private readonly pool;
  private readonly timeouts = new Map<string, number>();

  constructor(
    private readonly approvals: ApprovalsService,
    private readonly rpc: RpcClient,
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(WorkgateConfig) config: WorkgateConfig,
  ) {
    this.pool = createPool(config.DATABASE_URL, { role: config.WORKGATE_DB_ROLE || undefined, max: 1, applicationName: 'workgate-approvals' });
  }

  async onApplicationBootstrap(): Promise<void> {
    this.consumer = await runLedgerReaction(
      this.nc,
      { durable: DURABLE, subject: ledgerSubject('workorder-x', WorkOrderEvents.ActionDecided), react: (e) => this.open(e) },
      (m, reason) => recordDeadLetter(this.pool, { ...describeForDeadLetter(m, DURABLE), reason }),
      (m) => this.logger.warn(m),
    );
  }

  async onApplicationShutdown(): Promise<void> {
    await this.consumer?.stop();
    await this.pool.end();
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
