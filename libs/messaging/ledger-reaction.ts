import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { JsMsg, NatsConnection } from 'nats';
import { RecordedEvent, Streams } from '@workgate/contracts';
import { WorkgateConfig } from '@workgate/config';
import { createPool, recordDeadLetter } from '@workgate/event-store';
import { describeForDeadLetter, Outcome, retryAfter, RunningConsumer, runPullConsumer } from './pull-consumer';
import { decodeJson } from './wire';

export interface LedgerReaction {
  /** Durable consumer name. */
  durable: string;
  /** LEDGER subject filter, e.g. `ledger.workorder.ActionDecided`. */
  subject: string;
  /** Reacts to one committed ledger event; resolves after its own commit. */
  react(event: RecordedEvent): Promise<Outcome>;
  /**
   * Optional, on the raw JSON of the event: false when the event certainly does not concern this
   * reaction, which then acks it without decoding it. It may say true wrongly, never false wrongly.
   */
  mayConcern?(raw: Uint8Array): boolean;
}

/**
 * A `mayConcern` test: whether the JSON holds `text` byte for byte. The relay's JSON is compact
 * (no whitespace between tokens), so a member such as `"decision":"wait"` appears exactly so
 * wherever it is in the event.
 */
export function holdsText(text: string): (raw: Uint8Array) => boolean {
  const needle = Buffer.from(text, 'utf8');
  return (raw) => Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).includes(needle);
}

/** Keeps messages that can never be processed (raw bytes + reason) in Postgres: one small pool per service. */
@Injectable()
export class DeadLetterSink implements OnApplicationShutdown {
  private readonly pool;

  constructor(@Inject(WorkgateConfig) config: WorkgateConfig) {
    this.pool = createPool(config.DATABASE_URL, { role: config.WORKGATE_DB_ROLE || undefined, max: 1, applicationName: 'workgate-dead-letters' });
  }

  keep(m: JsMsg, consumer: string, reason: string): Promise<void> {
    return recordDeadLetter(this.pool, { ...describeForDeadLetter(m, consumer), reason });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.pool.end();
  }
}

/**
 * Services react to what the ledger committed through durable consumers of the LEDGER stream:
 * the log is the source, a reaction is acked only after its own commit, and reactions are
 * idempotent (deterministic ids), so a redelivery records nothing twice.
 */
export function runLedgerReaction(nc: NatsConnection, reaction: LedgerReaction, sink: DeadLetterSink, log?: (m: string) => void): Promise<RunningConsumer> {
  return runPullConsumer(nc, {
    stream: Streams.ledger.name,
    durable: reaction.durable,
    filterSubject: reaction.subject,
    batch: 128,
    concurrency: 2,
    handle: (messages) =>
      Promise.all(
        messages.map(async (m): Promise<Outcome> => {
          if (reaction.mayConcern && !reaction.mayConcern(m.data)) return { kind: 'ack' };
          let event: RecordedEvent;
          try {
            event = decodeJson<RecordedEvent>(m.data);
          } catch {
            return { kind: 'reject', reason: 'not a ledger event' };
          }
          try {
            return await reaction.react(event);
          } catch (error) {
            return retryAfter(error);
          }
        }),
      ),
    deadLetter: (m, reason) => sink.keep(m, reaction.durable, reason),
    log,
  });
}

/** A provider that runs a set of ledger reactions for the life of its service. */
export abstract class LedgerReactions implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly consumers: RunningConsumer[] = [];
  protected readonly logger: Logger;

  constructor(
    protected readonly nc: NatsConnection,
    private readonly sink: DeadLetterSink,
    service: string,
  ) {
    this.logger = new Logger(service);
  }

  protected abstract reactions(): LedgerReaction[];

  async onApplicationBootstrap(): Promise<void> {
    for (const r of this.reactions()) this.consumers.push(await runLedgerReaction(this.nc, r, this.sink, (m) => this.logger.warn(m)));
  }

  async onApplicationShutdown(): Promise<void> {
    for (const c of this.consumers) await c.stop();
  }
}
