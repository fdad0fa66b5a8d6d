import { Inject, Injectable } from '@nestjs/common';
import {
  dataOf,
  eventOf,
  DriftEvents,
  DriftSignaledData,
  driftStream,
  ExceptionEvents,
  ledgerEventSubject,
  RecordedEvent,
  Subjects,
  WorkgateError,
} from '@workgate/contracts';
import { WorkgateConfig } from '@workgate/config';
import { deterministicUuid, driftCheckedAt, driftSignal } from '@workgate/domain';
import { LedgerConsumers, LedgerReaction, LedgerReactions, Outcome, RpcClient } from '@workgate/messaging';
import { parseDuration } from '@workgate/workflow';
import { ExceptionCatalog } from './exception-catalog';

const REMEDIATION_DUE_MS = 7 * 24 * 3600_000;

/**
 * Exceptions are process signals, not human failures: a code raised WORKGATE_DRIFT_THRESHOLD times
 * within WORKGATE_DRIFT_WINDOW records one `DriftSignaled` (per code and window) with a
 * remediation task for the code's owner.
 */
@Injectable()
export class DriftReaction extends LedgerReactions {
  private readonly windowMs: number;
  private readonly threshold: number;

  constructor(
    consumers: LedgerConsumers,
    private readonly rpc: RpcClient,
    private readonly catalog: ExceptionCatalog,
    @Inject(WorkgateConfig) private readonly config: WorkgateConfig,
  ) {
    super(consumers, 'exceptions');
    this.windowMs = parseDuration(config.WORKGATE_DRIFT_WINDOW)!;
    this.threshold = config.WORKGATE_DRIFT_THRESHOLD;
  }

  protected reactions(): LedgerReaction[] {
    return [
      {
        durable: 'exceptions-drift',
        subject: ledgerEventSubject('exception', 'ExceptionRaised'),
        react: (e) => this.check(e),
      },
    ];
  }

  private async check(e: RecordedEvent): Promise<Outcome> {
    const { code } = dataOf(e, 'exception', 'ExceptionRaised');
    const from = new Date(Date.parse(e.occurredAt) - this.windowMs).toISOString();
    const raisedAt: string[] = [];
    let after = 0;
    for (;;) {
      const page = await this.rpc.request(Subjects.ledger.query, {
        types: [ExceptionEvents.Raised],
        from,
        after,
        limit: 1000,
      });
      for (const x of page.events)
        if (eventOf(x, 'exception', 'ExceptionRaised')?.data.code === code) raisedAt.push(x.occurredAt);
      if (page.events.length < 1000) break;
      after = page.next;
    }
    const at = driftCheckedAt(raisedAt, e.occurredAt, this.windowMs, this.threshold);
    const signalId = driftSignal(code, raisedAt, at, this.windowMs, this.threshold);
    if (!signalId) return { kind: 'ack' };
    const owner = this.catalog.list().find((c) => c.code === code)?.owner ?? 'unknown';
    const windowStart = new Date(Math.floor(Date.parse(at) / this.windowMs) * this.windowMs).toISOString();
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
        due: new Date(Date.parse(at) + REMEDIATION_DUE_MS).toISOString(),
      },
    };
    try {
      await this.rpc.request(Subjects.ledger.append, {
        streamId: driftStream(signalId),
        expectedVersion: 'no_stream',
        events: [
          {
            eventId: deterministicUuid('drift', signalId),
            type: DriftEvents.Signaled,
            data,
            metadata: { actor: 'exceptions' },
            occurredAt: at,
          },
        ],
      });
    } catch (error) {
      if ((error as WorkgateError).code !== 'version_conflict') throw error; // already signaled for this window
    }
    return { kind: 'ack' };
  }
}
