import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { JsMsg, NatsConnection } from 'nats';
import { ApprovalEvents, approvalStream, ReadStreamResult, RecordedEvent, Streams, Subjects, WorkgateError } from '@workgate/contracts';
import { WorkgateConfig } from '@workgate/config';
import { deterministicUuid } from '@workgate/domain';
import { createPool, recordDeadLetter } from '@workgate/event-store';
import { decodeJson, describeForDeadLetter, NATS_CONNECTION, Outcome, RpcClient, RunningConsumer, runPullConsumer } from '@workgate/messaging';
import { WorkOrdersService } from './work-orders.service';

const DURABLE = 'intake-approval-outcomes';
const OUTCOMES: Record<string, 'approved' | 'rejected' | 'expired'> = {
  [ApprovalEvents.Granted]: 'approved',
  [ApprovalEvents.Rejected]: 'rejected',
  [ApprovalEvents.Expired]: 'expired',
};

/**
 * An approval's outcome, once in the ledger, is applied to the action that waited for it:
 * approved releases it (run), rejected or expired stops it with the reason. Idempotent by
 * approval id; fed by a durable consumer of the LEDGER stream.
 */
@Injectable()
export class ApprovalOutcomesConsumer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('intake');
  private consumer?: RunningConsumer;
  private readonly pool;

  constructor(
    private readonly workOrders: WorkOrdersService,
    private readonly rpc: RpcClient,
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(WorkgateConfig) config: WorkgateConfig,
  ) {
    this.pool = createPool(config.DATABASE_URL, { role: config.WORKGATE_DB_ROLE || undefined, max: 1, applicationName: 'workgate-intake-approvals' });
  }

  async onApplicationBootstrap(): Promise<void> {
    this.consumer = await runPullConsumer(this.nc, {
      stream: Streams.ledger.name,
      durable: DURABLE,
      filterSubject: 'ledger.approval.>',
      batch: 64,
      handle: (messages) => Promise.all(messages.map((m) => this.handle(m))),
      deadLetter: (m, reason) => recordDeadLetter(this.pool, { ...describeForDeadLetter(m, DURABLE), reason }),
      log: (m) => this.logger.warn(m),
    });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.consumer?.stop();
    await this.pool.end();
  }

  private async handle(m: JsMsg): Promise<Outcome> {
    let e: RecordedEvent;
    try {
      e = decodeJson<RecordedEvent>(m.data);
    } catch {
      return { kind: 'reject', reason: 'not a ledger event' };
    }
    const outcome = OUTCOMES[e.type];
    if (!outcome) return { kind: 'ack' };
    const approvalId = e.streamId.slice('approval-'.length);
    try {
      const stream = await this.rpc.request<ReadStreamResult>(Subjects.ledger.readStream, { streamId: approvalStream(approvalId), limit: 1 });
      const requested = stream.events[0]?.data as { workOrderId?: string } | undefined;
      if (!requested?.workOrderId) return { kind: 'reject', reason: `approval ${approvalId} has no request` };
      const decidedBy = (e.data as { decidedBy?: string }).decidedBy;
      await this.workOrders.execute({
        address: { workOrderId: requested.workOrderId },
        command: { type: 'resolve-approval', body: { approvalId, outcome, ...(decidedBy ? { decidedBy } : {}) } },
        meta: { commandId: deterministicUuid('approval-outcome', approvalId), actor: decidedBy ?? 'approvals', now: e.occurredAt, channel: 'approvals' },
      });
      return { kind: 'ack' };
    } catch (error) {
      const code = (error as WorkgateError).code;
      if (code === 'not_found') return { kind: 'reject', reason: (error as Error).message };
      return { kind: 'retry', reason: (error as Error).message };
    }
  }
}
