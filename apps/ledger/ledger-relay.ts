import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { JetStreamManager, NatsConnection } from 'nats';
import { LedgerHeaders, ledgerSubject, Streams } from '@workgate/contracts';
import { CommittedEvent, CommittedTail } from '@workgate/event-store';
import { JetStreamBatchPublisher, ledgerStreamTail, NATS_CONNECTION } from '@workgate/messaging';
import { LedgerStore } from './ledger-store';

const PAGE = 1000;
const BUFFER_LIMIT = 10_000;
const IDLE_POLL_MS = 1000;
const RETRY_MS = 1000;
const COALESCE_MS = 20;

/** Why the relay stopped publishing (the error of its last attempt) and since when (RFC 3339). */
export interface RelayPause {
  reason: string;
  since: string;
}

/**
 * Publishes every committed ledger event to JetStream `LEDGER`, in position order, after commit.
 * The log is the outbox: where the relay resumes is read from the stream itself (the position of
 * its last message), and anything not in memory is read back from the log. Each publish expects
 * the stream's previous sequence, so the stream is always a gap-free prefix of the log, and
 * `Nats-Msg-Id` = event id makes a resend harmless; a page goes out at once and only its last
 * publish awaits the stream's ack. After a refusal or a crash the relay resumes from the stream's
 * own last message. Runs only on the active writer.
 *
 * Fast path: events committed by this writer are handed over in memory (already serialised),
 * so the steady state costs no read-back from Postgres.
 */
@Injectable()
export class LedgerRelay implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('ledger-relay');
  private jsm?: JetStreamManager;
  private publisher?: JetStreamBatchPublisher;
  private running?: Promise<void>;
  private active = false;
  private wake?: () => void;
  private published = 0;
  private pause?: RelayPause;
  private committed = 0;
  /** This writer's commits not yet relayed; past the limit the relay is far behind and reads from the log. */
  private readonly tail = new CommittedTail(BUFFER_LIMIT);
  private readonly encoder = new TextEncoder();

  constructor(
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    private readonly store: LedgerStore,
  ) {}

  /** Last position known to be in `LEDGER`. */
  get publishedPosition(): number {
    return this.published;
  }

  /** Why the relay publishes nothing right now, and since when; undefined while it runs. */
  get paused(): RelayPause | undefined {
    return this.pause;
  }

  onModuleInit(): void {
    this.store.onCommitted((head, events) => {
      this.committed = Math.max(this.committed, head.position);
      this.tail.add(events);
      this.wake?.();
    });
    this.store.onActiveChange((active) => {
      this.active = active;
      if (active) this.running ??= this.run().finally(() => (this.running = undefined));
      else this.wake?.();
    });
  }

  async onApplicationShutdown(): Promise<void> {
    this.active = false;
    this.wake?.();
    await this.running;
    this.publisher?.close();
  }

  private async run(): Promise<void> {
    this.jsm ??= await this.nc.jetstreamManager();
    this.publisher ??= new JetStreamBatchPublisher(this.nc, Streams.ledger.name);
    while (this.active) {
      try {
        const { position, seq } = await this.streamTail();
        this.published = position;
        if (this.pause) this.logger.log(`relay resumed after ${this.pause.since}`);
        this.pause = undefined;
        await this.catchUp(position, seq);
        await this.idle();
      } catch (error) {
        const reason = (error as Error).message;
        // Said once per reason, not once per retry: /health and the metrics keep saying it.
        if (this.pause?.reason !== reason) this.logger.warn(`relay paused: ${reason}`);
        this.pause = { reason, since: this.pause?.reason === reason ? this.pause.since : new Date().toISOString() };
        await new Promise((r) => setTimeout(r, RETRY_MS));
      }
    }
  }

  /**
   * The ledger position of the last message in `LEDGER`, and the stream's last sequence. The
   * stream must belong to this ledger: its last message must be this ledger's event at that
   * position, the same event id with the same chain hash (the hash covers every event before it,
   * so two ledgers that wrote the same events in the same order, as two fresh deployments do with
   * the shipped catalog, still differ). Otherwise (a NATS server reused with another database, a
   * second deployment on one account) relaying would skip events or append after another
   * ledger's, so the relay refuses and says why.
   */
  private async streamTail(): Promise<{ position: number; seq: number }> {
    // Said before the stream is compared: a ledger that lost its tail would otherwise pass for another ledger.
    this.unlessRefusing();
    const { seq, position, eventId, hash } = await ledgerStreamTail(this.jsm!);
    if (eventId === undefined) return { position, seq };
    const [mine] = position > 0 ? (await this.store.reader.readAll(position - 1, 1)).events : [];
    if (!mine || mine.position !== position || mine.eventId !== eventId || mine.hash !== hash) {
      throw new Error(
        `the ${Streams.ledger.name} stream does not belong to this ledger (its last message, position ${position}, is not this ledger's event at that position): ` +
          "point NATS_URL at this deployment's own NATS (or account) — nothing is relayed until then",
      );
    }
    return { position, seq };
  }

  /** Publishes pages until the log has nothing newer; throws on the first refused publish. */
  private async catchUp(fromPosition: number, fromSeq: number): Promise<void> {
    let position = fromPosition;
    let seq = fromSeq;
    while (this.active) {
      const page = await this.nextPage(position);
      if (page.length === 0) return;
      // One ack per page: a message is stored only right after the one before it, so the last one
      // stored where it expects says the whole page is in the stream, in order.
      await this.publisher!.publishChained(
        page.map((e, i) => ({
          subject: ledgerSubject(e.streamId, e.type),
          data: this.encoder.encode(e.json),
          msgId: e.eventId,
          expectedLastSeq: seq + i,
          headers: {
            [LedgerHeaders.position]: String(e.position),
            [LedgerHeaders.streamId]: e.streamId,
            [LedgerHeaders.streamVersion]: String(e.streamVersion),
          },
        })),
      );
      position = page[page.length - 1].position;
      seq += page.length;
      this.published = position;
      // Caught up: let a few commits gather before the next page. Fewer, larger bursts cost the
      // 2-core machine less scheduling than a trickle, and LEDGER subscribers can wait 20 ms.
      if (page.length < PAGE) await new Promise((r) => setTimeout(r, COALESCE_MS));
    }
  }

  /** The events after `position`: from memory when they are there, otherwise from the log. */
  private async nextPage(position: number): Promise<CommittedEvent[]> {
    this.unlessRefusing();
    this.tail.dropThrough(position);
    const kept = this.tail.page(position, PAGE);
    if (kept) return kept.events;
    // From the log, up to where the commits in memory begin.
    const first = this.tail.firstPosition;
    const limit = first !== undefined && first > position + 1 ? Math.min(PAGE, first - position - 1) : PAGE;
    const { events } = await this.store.reader.readAll(position, limit);
    return events.map((e) => ({
      position: e.position,
      streamId: e.streamId,
      streamVersion: e.streamVersion,
      eventId: e.eventId,
      type: e.type,
      json: JSON.stringify(e),
    }));
  }

  /** Nothing of a ledger the writer refuses is relayed: it may hold rows the writer did not write, or lack ones it relayed. */
  private unlessRefusing(): void {
    if (this.store.writer.refusing)
      throw new Error(
        `the ledger writer refuses to write (${this.store.writer.refusing}): nothing is relayed until the ledger is restored`,
      );
  }

  private idle(): Promise<void> {
    if (this.committed > this.published) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.wake = undefined;
        resolve();
      }, IDLE_POLL_MS);
      this.wake = () => {
        this.wake = undefined;
        clearTimeout(timer);
        resolve();
      };
    });
  }
}
