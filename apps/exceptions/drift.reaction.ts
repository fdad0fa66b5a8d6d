import { Inject, Injectable } from '@nestjs/common';
import {
  dataOf,
  eventOf,
  DriftEvents,
  DriftSignaledData,
  Subjects,
  ExceptionEvents,
  ledgerEventSubject,
  RecordedEvent,
} from '@workgate/contracts';
import { WorkgateConfig } from '@workgate/config';
import {
  deterministicUuid,
  DomainEvent,
  driftCheckedAt,
  driftSignal,
  Raise,
  RaiseRead,
  raisesWithin,
  RaiseTimes,
} from '@workgate/domain';
import {
  CommandStream,
  handle,
  LedgerConsumers,
  LedgerReaction,
  LedgerReactions,
  ledgerStream,
  Outcome,
  RpcClient,
} from '@workgate/messaging';
import { parseDuration } from '@workgate/workflow';
import { ExceptionCatalog } from './exception-catalog';

const REMEDIATION_DUE_MS = 7 * 24 * 3600_000;

/** A drift signal's stream (`drift-<signalId>`): one `DriftSignaled`, under an id of the signal alone. */
const driftSignals: CommandStream<{ recorded: boolean }, DomainEvent<'drift'>>['def'] = {
  stream: 'drift',
  initial: () => ({ recorded: false }),
  evolve: () => ({ recorded: true }),
  eventId: (signalId) => deterministicUuid('drift', signalId),
};

/**
 * Exceptions are process signals, not human failures: a code raised WORKGATE_DRIFT_THRESHOLD times
 * within WORKGATE_DRIFT_WINDOW records one `DriftSignaled` (per code and window) with a
 * remediation task for the code's owner. The raise times the checks need are held between checks
 * (the ledger is read for what is not held yet), so that relaying a backlog of raises costs one
 * read of them, not one per raise.
 */
@Injectable()
export class DriftReaction extends LedgerReactions {
  private readonly windowMs: number;
  private readonly threshold: number;
  private readonly raises: RaiseTimes;
  /** The checks' turns at the raise times held: one at a time, so that one read serves them all. */
  private turn: Promise<unknown> = Promise.resolve();

  constructor(
    consumers: LedgerConsumers,
    private readonly rpc: RpcClient,
    private readonly catalog: ExceptionCatalog,
    @Inject(WorkgateConfig) private readonly config: WorkgateConfig,
  ) {
    super(consumers, 'exceptions');
    this.windowMs = parseDuration(config.WORKGATE_DRIFT_WINDOW)!;
    this.threshold = config.WORKGATE_DRIFT_THRESHOLD;
    this.raises = new RaiseTimes(this.windowMs);
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
    const raisedAt = await this.timesAround(e, code);
    const at = driftCheckedAt(raisedAt, e.occurredAt, this.windowMs, this.threshold);
    const signalId = driftSignal(code, raisedAt, at, this.windowMs, this.threshold);
    if (!signalId) return { kind: 'ack' };
    const count = raisesWithin(raisedAt, at, this.windowMs);
    const owner = this.catalog.list().find((c) => c.code === code)?.owner ?? 'unknown';
    const windowStart = new Date(Math.floor(Date.parse(at) / this.windowMs) * this.windowMs).toISOString();
    const data: DriftSignaledData = {
      signalId,
      code,
      count,
      windowStart,
      owner,
      task: {
        taskId: deterministicUuid('drift-task', signalId),
        title: `${code} repeated ${count} times within ${this.config.WORKGATE_DRIFT_WINDOW}: fix the checklist or the upstream validation`,
        owner,
        due: new Date(Date.parse(at) + REMEDIATION_DUE_MS).toISOString(),
      },
    };
    // Once per code and window: a check that finds the signal recorded (another instance's, or this
    // event's again) records nothing.
    await handle(
      ledgerStream(this.rpc, driftSignals, 'exceptions'),
      signalId,
      (signal) => (signal.recorded ? [] : [{ type: DriftEvents.Signaled, data }]),
      { actor: 'exceptions', now: at, opens: true },
    );
    return { kind: 'ack' };
  }

  /** The times `code` was raised that the check of `e` looks at, reading the ledger for what is not held yet. */
  private timesAround(e: RecordedEvent, code: string): Promise<string[]> {
    const times = this.turn.then(async () => {
      for (let read = this.raises.missing(e.occurredAt, e.position); read;) {
        const { raises, through } = await this.readRaises(read);
        // The read came after `e` was committed, and positions are committed in order: it found every
        // raise of its range up to `e` at least.
        this.raises.read(read, raises, Math.max(through, e.position));
        read = this.raises.missing(e.occurredAt, e.position);
      }
      this.raises.add({ eventId: e.eventId, code, occurredAt: e.occurredAt });
      return this.raises.around(code, e.occurredAt);
    });
    this.turn = times.catch(() => undefined);
    return times;
  }

  private async readRaises(read: RaiseRead): Promise<{ raises: Raise[]; through: number }> {
    const raises: Raise[] = [];
    let after = read.after;
    for (;;) {
      const page = await this.rpc.request(Subjects.ledger.query, {
        types: [ExceptionEvents.Raised],
        from: read.from,
        ...(read.to ? { to: read.to } : {}),
        after,
        limit: 1000,
      });
      for (const x of page.events) {
        const code = eventOf(x, 'exception', 'ExceptionRaised')?.data.code;
        if (code !== undefined) raises.push({ eventId: x.eventId, code, occurredAt: x.occurredAt });
      }
      after = page.next;
      if (page.events.length < 1000) return { raises, through: after };
    }
  }
}
