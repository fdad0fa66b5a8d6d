import {
  BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnApplicationShutdown,
} from '@nestjs/common';
import { JetStreamManager, JsMsg, NatsConnection } from 'nats';
import { AppendRequest, RecordedEvent, Streams, Subjects, WorkgateError } from '@workgate/contracts';
import { WorkgateConfig } from '@workgate/config';
import { createPool, recordDeadLetter } from '@workgate/event-store';
import { describeForDeadLetter, Outcome, retryAfter, RunningConsumer, runPullConsumer } from './pull-consumer';
import { isNotFound, ledgerStreamTail } from './jetstream';
import { RpcClient } from './rpc-client';
import { decodeJson } from './wire';

export interface LedgerReaction {
  /** Durable consumer name. */
  durable: string;
  /** LEDGER subject filter, e.g. `ledger.workorder.ActionDecided`. */
  subject: string;
  /** Reacts to one committed ledger event; resolves after its own commit. */
  react(event: RecordedEvent): Promise<Outcome> | Outcome;
  /**
   * Optional, on the raw JSON of the event: false when the event certainly does not concern this
   * reaction, which then acks it without decoding it. It may say true wrongly, never false wrongly.
   */
  mayConcern?(raw: Uint8Array): boolean;
  /**
   * Set on a reaction an earlier version ran that this one no longer needs (its work now comes as
   * events of their own): the ledger position up to which it must still react, i.e. the ledger's
   * head when the service started. It then runs only if its durable consumer exists, until every
   * event up to that position has reached `LEDGER` and been handled, and its consumer is deleted.
   */
  retiredAfter?(): Promise<number>;
}

/** A retired reaction's `retiredAfter`: the ledger's head position, asked of the ledger service. */
export function ledgerHeadPosition(rpc: RpcClient): () => Promise<number> {
  return () => rpc.request(Subjects.ledger.head, {}).then((head) => head.position);
}

/** The first event of the stream `streamId` (the one that started it), asked of the ledger service; none for an empty stream. */
export async function firstEventOf(rpc: RpcClient, streamId: string): Promise<RecordedEvent | undefined> {
  return (await rpc.request(Subjects.ledger.readStream, { streamId, limit: 1 })).events[0];
}

/**
 * A retired reaction of an earlier version that started streams from events this version no
 * longer records (a wait recorded as its ActionDecided alone). For what an earlier version
 * recorded, it appends the appends `starts` makes of each event, each expected not to exist yet;
 * one that exists was started already (its event ids are the same), and is left as it is.
 */
export function retiredStarting(
  rpc: RpcClient,
  durable: string,
  subject: string,
  starts: (e: RecordedEvent) => Promise<AppendRequest[]>,
  mayConcern?: (raw: Uint8Array) => boolean,
): LedgerReaction {
  return {
    durable,
    subject,
    ...(mayConcern ? { mayConcern } : {}),
    retiredAfter: ledgerHeadPosition(rpc),
    react: async (e) => {
      for (const append of await starts(e)) {
        await rpc.request(Subjects.ledger.append, append).catch((error: WorkgateError) => {
          if (error.code !== 'version_conflict') throw error;
        });
      }
      return { kind: 'ack' };
    },
  };
}

/** How often a retiring consumer is checked for having handled what it still had to. */
export const RETIRE_CHECK_MS = 1000;

/**
 * A `mayConcern` test: whether the JSON holds `text` byte for byte. The relay's JSON is compact
 * (no whitespace between tokens), so a member such as `"decision":"wait"` appears exactly so
 * wherever it is in the event.
 */
export function holdsText(text: string): (raw: Uint8Array) => boolean {
  const needle = Buffer.from(text, 'utf8');
  return (raw) => Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).includes(needle);
}

/** Where a reaction puts a message it gives up on. */
export type DeadLetters = Pick<DeadLetterSink, 'keep'>;

/** Keeps messages that can never be processed (raw bytes + reason) in Postgres: one small pool per service. */
@Injectable()
export class DeadLetterSink implements OnApplicationShutdown {
  private readonly pool;

  constructor(@Inject(WorkgateConfig) config: WorkgateConfig) {
    this.pool = createPool(config.DATABASE_URL, {
      role: config.WORKGATE_DB_ROLE || undefined,
      max: 1,
      applicationName: 'workgate-dead-letters',
    });
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
export function runLedgerReaction(
  nc: NatsConnection,
  reaction: LedgerReaction,
  sink: DeadLetters,
  log?: (m: string) => void,
): Promise<RunningConsumer> {
  return runPullConsumer(nc, {
    stream: Streams.ledger.name,
    durable: reaction.durable,
    filterSubject: reaction.subject,
    batch: 128,
    concurrency: 2,
    existing: reaction.retiredAfter !== undefined,
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

/** Whether `LEDGER` still has the durable consumer `durable`. */
function consumerExists(jsm: JetStreamManager, durable: string): Promise<boolean> {
  return jsm.consumers.info(Streams.ledger.name, durable).then(
    () => true,
    (error: Error) => (isNotFound(error) ? false : Promise.reject(error)),
  );
}

/** What every set of ledger reactions runs on: the NATS connection, and where messages given up on go. */
export class LedgerConsumers {
  constructor(
    readonly nc: NatsConnection,
    readonly sink: DeadLetters,
  ) {}
}

/** A provider that runs a set of ledger reactions for the life of its service. */
export abstract class LedgerReactions
  implements OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown
{
  private readonly consumers: RunningConsumer[] = [];
  /** Retired reactions still handling what an earlier version left them. */
  private readonly retiring: Promise<void>[] = [];
  private readonly wakeRetiring = new Set<() => void>();
  private stopping = false;
  private stopped?: Promise<void>;
  protected readonly logger: Logger;

  protected readonly nc: NatsConnection;
  private readonly sink: DeadLetters;

  constructor(consumers: LedgerConsumers, service: string) {
    this.nc = consumers.nc;
    this.sink = consumers.sink;
    this.logger = new Logger(service);
  }

  protected abstract reactions(): LedgerReaction[];

  async onApplicationBootstrap(): Promise<void> {
    for (const r of this.reactions()) {
      if (r.retiredAfter) this.retiring.push(this.retire(r));
      else this.consumers.push(await runLedgerReaction(this.nc, r, this.sink, (m) => this.logger.warn(m)));
    }
  }

  /**
   * Stops every consumer once they have handled what they hold, before the service's other parts
   * (its stores, its connections) close at shutdown; at most once, however often asked.
   */
  beforeApplicationShutdown(): Promise<void> {
    return (this.stopped ??= this.stop());
  }

  onApplicationShutdown(): Promise<void> {
    return this.beforeApplicationShutdown();
  }

  private async stop(): Promise<void> {
    this.stopping = true;
    this.wakeRetiring.forEach((wake) => wake());
    await Promise.all(this.retiring);
    // Together: each may wait for its open pull requests to be filled.
    await Promise.all(this.consumers.map((c) => c.stop()));
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.wakeRetiring.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.wakeRetiring.add(wake);
    });
  }

  /**
   * Runs a retired reaction's consumer, if an earlier version left one, until it has handled every
   * event up to the ledger position it was retired after, then deletes it. Retried until done;
   * a restart before that resumes it.
   */
  private async retire(r: LedgerReaction): Promise<void> {
    const ledger = Streams.ledger.name;
    while (!this.stopping) {
      let consumer: RunningConsumer | undefined;
      let jsm: JetStreamManager | undefined;
      try {
        jsm = await this.nc.jetstreamManager();
        if (!(await consumerExists(jsm, r.durable))) return;
        const through = await r.retiredAfter!();
        consumer = await runLedgerReaction(this.nc, r, this.sink, (m) => this.logger.warn(m));
        this.logger.log(`retired consumer ${r.durable} handles what is left up to ledger position ${through}`);
        if (!(await this.untilDrained(jsm, r.durable, through))) return;
        await consumer.stop();
        consumer = undefined;
        // Another instance of the service may have deleted it first.
        await jsm.consumers
          .delete(ledger, r.durable)
          .catch((error: Error) => (isNotFound(error) ? true : Promise.reject(error)));
        this.logger.log(
          `retired consumer ${r.durable} handled everything up to ledger position ${through} and is deleted`,
        );
        return;
      } catch (error) {
        // Another instance of the service retired it meanwhile: nothing is left to do.
        if (isNotFound(error) && jsm && !(await consumerExists(jsm, r.durable).catch(() => true))) {
          this.logger.log(`retired consumer ${r.durable} was deleted by another instance`);
          return;
        }
        this.logger.warn(`retiring consumer ${r.durable}: ${(error as Error).message}; trying again`);
        await this.pause(RETIRE_CHECK_MS);
      } finally {
        await consumer?.stop().catch(() => undefined);
      }
    }
  }

  /**
   * Resolves once `LEDGER` holds every event up to `through` (the relay may still be publishing
   * events an earlier version committed) and the consumer has handled everything it matched up
   * to there: nothing pending and nothing unacked, or its ack floor past that point. False when
   * the service stops first.
   */
  private async untilDrained(jsm: JetStreamManager, durable: string, through: number): Promise<boolean> {
    const ledger = Streams.ledger.name;
    let lastSeq: number | undefined;
    while (!this.stopping) {
      if (lastSeq === undefined) {
        const tail = await ledgerStreamTail(jsm);
        if (tail.position >= through) lastSeq = tail.seq;
      }
      if (lastSeq !== undefined) {
        const info = await jsm.consumers.info(ledger, durable);
        if ((info.num_pending === 0 && info.num_ack_pending === 0) || info.ack_floor.stream_seq >= lastSeq) return true;
      }
      await this.pause(RETIRE_CHECK_MS);
    }
    return false;
  }
}
