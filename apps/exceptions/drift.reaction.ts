import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { NatsConnection } from 'nats';
import { DriftEvents, DriftSignaledData, driftStream, ExceptionEvents, ledgerSubject, ReadAllResult, RecordedEvent, Subjects, WorkgateError } from '@workgate/contracts';
import { WorkgateConfig } from '@workgate/config';
import { deterministicUuid, driftSignal } from '@workgate/domain';
import { createPool, recordDeadLetter } from '@workgate/event-store';
import { describeForDeadLetter, NATS_CONNECTION, Outcome, RpcClient, RunningConsumer, runLedgerReaction } from '@workgate/messaging';
import { parseDuration } from '@workgate/workflow';
import { ExceptionCatalog } from './exception-catalog';

const REMEDIATION_DUE_MS = 7 * 24 * 3600_000;

/**
 * Exceptions are process signals, not human failures: a code raised WORKGATE_DRIFT_THRESHOLD times
 * within WORKGATE_DRIFT_WINDOW records one `DriftSignaled` (per code and window) with a
 * remediation task for the code's owner.
 */
@Injectable()
export class DriftReaction implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('exceptions');
  private consumer?: RunningConsumer;
  private readonly pool;
  private readonly windowMs: number;
  private readonly threshold: number;

  constructor(
    private readonly rpc: RpcClient,
    private readonly catalog: ExceptionCatalog,
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(WorkgateConfig) private readonly config: WorkgateConfig,
  ) {
    this.pool = createPool(config.DATABASE_URL, { role: config.WORKGATE_DB_ROLE || undefined, max: 1, applicationName: 'workgate-drift' });
    this.windowMs = parseDuration(config.WORKGATE_DRIFT_WINDOW)!;
    this.threshold = config.WORKGATE_DRIFT_THRESHOLD;
  }

  async onApplicationBootstrap(): Promise<void> {
    const durable = 'exceptions-drift';
    this.consumer = await runLedgerReaction(
      this.nc,
      { durable, subject: ledgerSubject('exception-x', ExceptionEvents.Raised), react: (e) => this.check(e) },
      (m, reason) => recordDeadLetter(this.pool, { ...describeForDeadLetter(m, durable), reason }),
      (m) => this.logger.warn(m),
    );
  }

  async onApplicationShutdown(): Promise<void> {
    await this.consumer?.stop();
    await this.pool.end();
  }

  private async check(e: RecordedEvent): Promise<Outcome> {
    const code = String((e.data as { code: string }).code);
    const from = new Date(Date.parse(e.occurredAt) - this.windowMs).toISOString();
    const raisedAt: string[] = [];
    let after = 0;
    for (;;) {
      const page = await this.rpc.request<ReadAllResult>(Subjects.ledger.query, { types: [ExceptionEvents.Raised], from, after, limit: 1000 });
      for (const x of page.events) if ((x.data as { code?: string }).code === code) raisedAt.push(x.occurredAt);
      if (page.events.length < 1000) break;
      after = page.next;
    }
    const signalId = driftSignal(code, raisedAt, e.occurredAt, this.windowMs, this.threshold);
    if (!signalId) return { kind: 'ack' };
    const owner = this.catalog.list().find((c) => c.code === code)?.owner ?? 'unknown';
    const windowStart = new Date(Math.floor(Date.parse(e.occurredAt) / this.windowMs) * this.windowMs).toISOString();
    const data: DriftSignaledData = {
      signalId,
      code,
      count: raisedAt.length,
      windowStart,
      owner,
      task: {
        taskId: deterministicUuid('drift-task', signalId),
        title: `${code} repeated ${raisedAt.length} times within ${this.config.WORKGATE_DRIFT_WINDOW}: fix the checklist or the upstream validation`,
        owner,
        due: new Date(Date.parse(e.occurredAt) + REMEDIATION_DUE_MS).toISOString(),
      },
    };
    try {
      await this.rpc.request(Subjects.ledger.append, {
        streamId: driftStream(signalId),
        expectedVersion: 'no_stream',
        events: [{ eventId: deterministicUuid('drift', signalId), type: DriftEvents.Signaled, data, metadata: { actor: 'exceptions' }, occurredAt: e.occurredAt }],
      });
    } catch (error) {
      if ((error as WorkgateError).code !== 'version_conflict') throw error; // already signaled for this window
    }
    return { kind: 'ack' };
  }
}
