import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { NatsConnection } from 'nats';
import { ExceptionRef, ledgerSubject, RecordedEvent, WorkOrderEvents } from '@workgate/contracts';
import { WorkgateConfig } from '@workgate/config';
import { CatalogCode } from '@workgate/domain';
import { createPool, recordDeadLetter } from '@workgate/event-store';
import { describeForDeadLetter, NATS_CONNECTION, Outcome, RunningConsumer, runLedgerReaction } from '@workgate/messaging';
import { parseDuration } from '@workgate/workflow';
import { ExceptionCatalog } from './exception-catalog';
import { ExceptionsStore } from './exceptions.store';

/**
 * Every exception a work order records (a blocked step, a failed prerequisite) becomes an owned
 * exception of its own (`exception-<id>`, same id), with owner and SLA from the catalog.
 */
@Injectable()
export class RaisedReaction implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('exceptions');
  private readonly consumers: RunningConsumer[] = [];
  private readonly pool;

  constructor(
    private readonly store: ExceptionsStore,
    private readonly catalog: ExceptionCatalog,
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(WorkgateConfig) config: WorkgateConfig,
  ) {
    this.pool = createPool(config.DATABASE_URL, { role: config.WORKGATE_DB_ROLE || undefined, max: 1, applicationName: 'workgate-exceptions' });
  }

  async onApplicationBootstrap(): Promise<void> {
    for (const [durable, type] of [
      ['exceptions-blocked-steps', WorkOrderEvents.StepBlocked],
      ['exceptions-prerequisites', WorkOrderEvents.Opened],
      ['exceptions-break-glass', WorkOrderEvents.BreakGlassUsed],
    ] as const) {
      this.consumers.push(
        await runLedgerReaction(
          this.nc,
          { durable, subject: ledgerSubject('workorder-x', type), react: (e) => this.raise(e) },
          (m, reason) => recordDeadLetter(this.pool, { ...describeForDeadLetter(m, durable), reason }),
          (m) => this.logger.warn(m),
        ),
      );
    }
  }

  async onApplicationShutdown(): Promise<void> {
    for (const c of this.consumers) await c.stop();
    await this.pool.end();
  }

  private codes(): Map<string, CatalogCode> {
    return new Map(this.catalog.list().map((c) => [c.code, { code: c.code, owner: c.owner, slaMs: parseDuration(c.sla)! }]));
  }

  private async raise(e: RecordedEvent): Promise<Outcome> {
    const d = e.data as { workOrderId: string; exceptions?: ExceptionRef[] } & Partial<ExceptionRef>;
    const refs: ExceptionRef[] = e.type === WorkOrderEvents.Opened ? (d.exceptions ?? []) : [d as ExceptionRef];
    const actor = String((e.metadata as { actor?: string }).actor ?? 'unknown');
    for (const x of refs) {
      await this.store.execute(
        x.exceptionId,
        { type: 'RaiseException', exceptionId: x.exceptionId, workOrderId: d.workOrderId, stepId: x.stepId ?? null, code: x.code, rationale: x.rationale, by: actor, catalog: this.codes() },
        actor,
        e.occurredAt,
      );
    }
    return { kind: 'ack' };
  }
}
