import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { headers as natsHeaders, JetStreamClient, JetStreamManager, NatsConnection } from 'nats';
import { LedgerHeaders, ledgerSubject, RecordedEvent, Streams } from '@workgate/contracts';
import { encodeJson, NATS_CONNECTION } from '@workgate/messaging';
import { LedgerStore } from './ledger-store';

const PAGE = 500;
const IDLE_POLL_MS = 1000;
const RETRY_MS = 1000;

/**
 * Publishes every committed ledger event to JetStream `LEDGER`, in position order, from the log
 * itself (the log is the outbox). Each publish expects the stream's previous sequence, so the
 * stream is always a gap-free prefix of the log; after any crash the relay reads the position of
 * the stream's last message and resumes after it. `Nats-Msg-Id` = event id makes a resend harmless.
 * Runs only on the active writer.
 */
@Injectable()
export class LedgerRelay implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('ledger-relay');
  private js?: JetStreamClient;
  private jsm?: JetStreamManager;
  private running?: Promise<void>;
  private active = false;
  private wake?: () => void;
  private published = 0;
  private committed = 0;

  constructor(
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    private readonly store: LedgerStore,
  ) {}

  /** Last position known to be in `LEDGER`. */
  get publishedPosition(): number {
    return this.published;
  }

  onModuleInit(): void {
    this.store.onCommitted((head) => {
      this.committed = Math.max(this.committed, head.position);
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
  }

  private async run(): Promise<void> {
    this.js ??= this.nc.jetstream();
    this.jsm ??= await this.nc.jetstreamManager();
    while (this.active) {
      try {
        const { position, seq } = await this.streamTail();
        this.published = position;
        await this.catchUp(position, seq);
        await this.idle();
      } catch (error) {
        this.logger.warn(`relay paused: ${(error as Error).message}`);
        await this.sleep(RETRY_MS);
      }
    }
  }

  /** The ledger position of the last message in `LEDGER`, and the stream's last sequence. */
  private async streamTail(): Promise<{ position: number; seq: number }> {
    const info = await this.jsm!.streams.info(Streams.ledger.name);
    const seq = info.state.last_seq;
    if (info.state.messages === 0) return { position: 0, seq };
    const last = await this.jsm!.streams.getMessage(Streams.ledger.name, { seq });
    return { position: Number(last.header.get(LedgerHeaders.position)), seq };
  }

  /** Publishes pages until the log has nothing newer; throws on the first failed publish. */
  private async catchUp(fromPosition: number, fromSeq: number): Promise<void> {
    let position = fromPosition;
    let seq = fromSeq;
    while (this.active) {
      const { events } = await this.store.reader.readAll(position, PAGE);
      if (events.length === 0) return;
      const acks = events.map((e, i) => this.publish(e, seq + i));
      await Promise.all(acks);
      position = events[events.length - 1].position;
      seq += events.length;
      this.published = position;
    }
  }

  private publish(e: RecordedEvent, expectedLastSeq: number) {
    const h = natsHeaders();
    h.set(LedgerHeaders.position, String(e.position));
    h.set(LedgerHeaders.streamId, e.streamId);
    h.set(LedgerHeaders.streamVersion, String(e.streamVersion));
    return this.js!.publish(ledgerSubject(e.streamId, e.type), encodeJson(e), {
      msgID: e.eventId,
      headers: h,
      expect: { lastSequence: expectedLastSeq, streamName: Streams.ledger.name },
    });
  }

  private idle(): Promise<void> {
    if (this.committed > this.published) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, IDLE_POLL_MS);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = () => {
        this.wake = undefined;
        done();
      };
    });
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((r) => setTimeout(r, ms));
  }
}
