import {
  AckPolicy,
  ConsumerConfig,
  ConsumerInfo,
  ConsumerMessages,
  DeliverPolicy,
  JetStreamManager,
  JsMsg,
  nanos,
  NatsConnection,
  Subscription,
} from 'nats';
import { AckFloor } from './ack-floor';
import { isNotFound } from './jetstream';
import { errorMessage } from './wire';

/**
 * What became of one message: acked after its commit, retried later, or never processable. A retry
 * with `outage` failed because something it needs is down (a service unavailable or timing out),
 * not because of the message: it is retried without limit and never dead-lettered for it.
 */
export type Outcome =
  | { kind: 'ack'; /** acked because it was kept as a rejection */ rejected?: boolean }
  | { kind: 'retry'; reason: string; outage?: boolean }
  | { kind: 'reject'; reason: string };

/** Whether an error is an outage of something the work needs (retry until it is back), not a fault of the message. */
export function isOutage(error: unknown): boolean {
  if (typeof error !== 'object' || error === null || !('code' in error)) return false;
  return error.code === 'unavailable' || error.code === 'timeout';
}

/** A retry because of `error`: an outage when it is one. */
export function retryAfter(error: unknown, reason = errorMessage(error)): Outcome {
  return { kind: 'retry', reason, outage: isOutage(error) };
}

export interface PullConsumerOptions {
  stream: string;
  durable: string;
  filterSubject?: string;
  /** Most messages handed to `handle` at once. */
  batch?: number;
  /** Deliveries before a message that keeps failing (for a reason of its own, not an outage) is dead-lettered. */
  maxDeliver?: number;
  /** Delay before redelivery, per failed delivery (the last one repeats). */
  backoffMs?: number[];
  /** How long the server waits for an ack before it redelivers. */
  ackWaitMs?: number;
  /**
   * Batches handled at once (default 1). Batches are handed over in stream order; with more than
   * one, `handle` must keep the order of related messages itself (intake chains them per work order).
   */
  concurrency?: number;
  /** Processes a batch in stream order; resolves with one outcome per message, after the Postgres commit. */
  handle: (messages: JsMsg[]) => Promise<Outcome[]>;
  /**
   * Runs the durable consumer only if it exists (a retired one that another instance deleted is
   * never created again, which would deliver the whole stream anew): a missing one fails with the
   * server's "not found".
   */
  existing?: boolean;
  /**
   * Grouped acknowledgements: the durable acks with AckPolicy.All, and one ack goes to the last of
   * each unbroken run of messages settled for good (see AckFloor), instead of one per message. The
   * consumer must see every subject of its stream (no filter, or the stream's one subject). Dead
   * letters are covered by that ack rather than terminated (a terminate is an ack of everything
   * before it too). An ack policy cannot be changed in place: give such a consumer a durable name
   * of its own, and `replaces` the one with explicit acks it takes over.
   */
  ackAll?: boolean;
  /**
   * The durable with explicit acks this one replaces: when this one does not exist yet, it is
   * created to start after that one's ack floor (what it had acked above its floor is delivered
   * again, and must be harmless twice), and that one is then deleted.
   */
  replaces?: string;
  /** Keeps a message that can never be processed (raw bytes + reason). Must be durable before it resolves. */
  deadLetter: (message: JsMsg, reason: string) => Promise<void>;
  log?: (message: string) => void;
}

export interface RunningConsumer {
  stop(): Promise<void>;
}

/**
 * Unacked messages the server lets a consumer hold: the batches being handled and two batches'
 * worth read ahead. nats.js pulls again as messages arrive, not as they are handled, so this
 * bound is what keeps the read-ahead short: with 2,048 the intake process held about 1,900
 * messages waiting, each living long enough to be promoted out of V8's young generation (half
 * as much promotion again, and about 6% more CPU per event). A message nak'd for a later retry
 * counts until it is delivered again.
 */
/** How soon an ack-all consumer holding settled messages reads the floor again (another instance may have moved it). */
const HELD_READ_MS = 25;

function maxAckPending(o: Pick<PullConsumerOptions, 'batch' | 'concurrency'>): number {
  return (o.batch ?? 256) * (Math.max(1, o.concurrency ?? 1) + 2);
}

/** Creates or updates the durable; with the stream's first sequence (what came before it is gone). */
async function ensureConsumer(
  jsm: JetStreamManager,
  o: PullConsumerOptions,
): Promise<{ info: ConsumerInfo; firstSeq: number }> {
  const ackPolicy = o.ackAll ? AckPolicy.All : AckPolicy.Explicit;
  const settings: Partial<ConsumerConfig> = {
    ack_wait: nanos(o.ackWaitMs ?? 30_000),
    // The delivery bound is enforced here, not by the server: a message past `maxDeliver` is
    // written to the dead letters first and only then terminated, so none is silently dropped
    // (a server-side max_deliver would stop redelivering even when the dead-letter write failed).
    max_deliver: -1,
    max_ack_pending: maxAckPending(o),
    ...(o.filterSubject ? { filter_subject: o.filterSubject } : {}),
  };
  const firstSeq = o.ackAll ? await seesWholeStream(jsm, o) : 1;
  try {
    const info = await jsm.consumers.info(o.stream, o.durable);
    if (info.config.ack_policy !== ackPolicy)
      throw new Error(
        `consumer ${o.durable} acks ${info.config.ack_policy}, not ${ackPolicy}: an ack policy cannot be changed in place, a consumer of another policy needs a durable name of its own`,
      );
    return { info: await jsm.consumers.update(o.stream, o.durable, settings), firstSeq };
  } catch (error) {
    if (!isNotFound(error) || o.existing) throw error;
  }
  const start = o.replaces ? await startAfter(jsm, o.stream, o.replaces) : undefined;
  let info: ConsumerInfo;
  try {
    info = await jsm.consumers.add(o.stream, {
      durable_name: o.durable,
      ack_policy: ackPolicy,
      ...(start === undefined
        ? { deliver_policy: DeliverPolicy.All }
        : { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: start }),
      ...settings,
    });
  } catch (error) {
    // Another instance created it a moment ago (from the floor it read): that one is used.
    const created = await jsm.consumers.info(o.stream, o.durable).catch(() => undefined);
    if (!created) throw error;
    info = created;
  }
  if (o.replaces) await jsm.consumers.delete(o.stream, o.replaces).catch((e: unknown) => ignoreNotFound(e));
  return { info, firstSeq };
}

/**
 * The stream sequence up to which a consumer has acknowledged everything. Until its first ack the
 * server says 0 whatever the start: one that starts at a sequence has everything before it behind it.
 */
function ackFloorOf(info: ConsumerInfo): number {
  if (info.ack_floor.consumer_seq > 0) return info.ack_floor.stream_seq;
  // Nothing delivered yet: the server's delivered sequence is the one before the start.
  if (info.delivered.consumer_seq === 0) return info.delivered.stream_seq;
  return Math.max(0, (info.config.opt_start_seq ?? 1) - 1);
}

function ignoreNotFound(error: unknown): void {
  if (!isNotFound(error)) throw error;
}

/**
 * Where a consumer that replaces `durable` starts: after its ack floor, when it exists; everything
 * unacked there (in flight, waiting for a retry, never delivered) is delivered to the new one.
 */
async function startAfter(jsm: JetStreamManager, stream: string, durable: string): Promise<number | undefined> {
  try {
    return (await jsm.consumers.info(stream, durable)).ack_floor.stream_seq + 1;
  } catch (error) {
    ignoreNotFound(error);
    return undefined;
  }
}

/** An ack-all consumer tells a message it has not seen by its sequence: it must see every message of the stream. */
async function seesWholeStream(jsm: JetStreamManager, o: PullConsumerOptions): Promise<number> {
  const { config, state } = await jsm.streams.info(o.stream);
  const { subjects } = config;
  if (o.filterSubject && !(subjects.length === 1 && subjects[0] === o.filterSubject))
    throw new Error(
      `consumer ${o.durable} acks all but filters ${o.filterSubject} out of ${o.stream} (${subjects.join(', ')}): it would wait for messages it is never given`,
    );
  return state.first_seq;
}

/**
 * Ends a consume() iterator without dropping what the server already sent it: no further pull
 * requests, then its inbox subscription is drained (the server learns there is no more interest,
 * and every message that arrived before that is still handed over), and the iterator ends by
 * itself. `close()` alone unsubscribes at once: messages still on the wire are dropped and stay
 * unacked until their ack wait runs out. Reaches two internals of the nats.js 2.x iterator
 * (`refilling`, `sub`); without them, or when the drain cannot finish (NATS unreachable: it waits
 * for the server), it falls back to `close()`.
 */
function isSubscription(value: unknown): value is Subscription {
  return (
    typeof value === 'object' &&
    value !== null &&
    'drain' in value &&
    typeof value.drain === 'function' &&
    'isClosed' in value &&
    typeof value.isClosed === 'function'
  );
}

async function drainMessages(messages: ConsumerMessages, timeoutMs = 5000): Promise<void> {
  if (typeof Reflect.get(messages, 'refilling') === 'boolean') Reflect.set(messages, 'refilling', false);
  const sub: unknown = Reflect.get(messages, 'sub');
  if (isSubscription(sub) && !sub.isClosed()) {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([sub.drain().catch(() => undefined), new Promise((r) => (timer = setTimeout(r, timeoutMs)))]);
    clearTimeout(timer);
  }
  await messages.close().catch(() => undefined);
}

/**
 * A durable pull consumer: messages are processed in batches (taken while the previous batch is
 * being handled), acked only after `handle` says their commit is done (each one, or with `ackAll`
 * one ack per unbroken run), retried with back-off, and dead-lettered with a reason when they can
 * never be processed.
 */
export async function runPullConsumer(nc: NatsConnection, o: PullConsumerOptions): Promise<RunningConsumer> {
  const jsm = await nc.jetstreamManager();
  const { info, firstSeq } = await ensureConsumer(jsm, o);
  const batchSize = o.batch ?? 256;
  const maxDeliver = o.maxDeliver ?? 5;
  const backoff = o.backoffMs ?? [250, 1000, 5000, 15000];
  const consumer = await nc.jetstream().consumers.get(o.stream, o.durable);
  // Short pull expiry: a pull request left behind by a crashed instance stops attracting messages soon.
  const messages = await consumer.consume({ max_messages: batchSize * 2, expires: 5000 });
  const ackWaitMs = o.ackWaitMs ?? 30_000;

  const buffer: JsMsg[] = [];
  const concurrency = Math.max(1, o.concurrency ?? 1);
  const inFlight = new Set<Promise<void>>();
  // Messages before the stream's first are gone: nothing waits for them.
  const acks = o.ackAll ? new AckFloor<JsMsg>(Math.max(ackFloorOf(info), firstSeq - 1)) : undefined;
  /** Ack-all: the sequences this instance holds unsettled (read or being handled). */
  const inHand = new Set<number>();

  /** Settled for good: acked now, or (ack-all) when every message before it is settled too. */
  const done = (m: JsMsg): void => {
    if (acks && !acks.covers(m)) acks.settle(m);
    else m.ack();
  };

  const settle = async (m: JsMsg, outcome: Outcome): Promise<void> => {
    if (acks) inHand.delete(m.seq);
    if (outcome.kind === 'ack' || acks?.covers(m)) {
      done(m);
      return;
    }
    const deliveries = m.info.redeliveryCount;
    if (outcome.kind === 'retry' && (outcome.outage || deliveries < maxDeliver)) {
      m.nak(backoff[Math.min(deliveries - 1, backoff.length - 1)]);
      return;
    }
    const reason =
      outcome.kind === 'retry' ? `gave up after ${deliveries} deliveries: ${outcome.reason}` : outcome.reason;
    try {
      await o.deadLetter(m, reason);
      if (acks) done(m);
      else m.term();
    } catch (error) {
      o.log?.(`cannot keep dead letter ${o.stream}#${m.seq}: ${(error as Error).message}; will retry`);
      m.nak(backoff[backoff.length - 1]);
    }
  };

  /**
   * Ack-all: messages settled after one that is not (in flight, waiting for its retry, or with
   * another instance) are held. Until it is settled they are kept from redelivery, and unless this
   * instance is handling it, the floor is read again from the server, which another instance's
   * acks move.
   */
  let reading: Promise<void> | undefined;
  let readSoon: NodeJS.Timeout | undefined;
  const readFloor = (): Promise<void> =>
    (reading ??= jsm.consumers
      .info(o.stream, o.durable)
      .then((now) => {
        acks!.raise(ackFloorOf(now));
        acks!.advance()?.ack();
      })
      .catch((error: Error) => o.log?.(`${o.durable}: cannot read the ack floor: ${error.message}`))
      .finally(() => (reading = undefined)));
  let stopped = false;
  /** While messages are held, the floor is read every HELD_READ_MS (unless the one they wait for is being handled here). */
  const readWhileHeld = (): void => {
    if (!acks || stopped || readSoon || acks.holding === 0) return;
    readSoon = setTimeout(() => {
      readSoon = undefined;
      // When the message they wait for is handled here, the end of its batch acks them.
      if (acks.holding === 0 || inHand.has(acks.position + 1)) return;
      void readFloor().then(readWhileHeld);
    }, HELD_READ_MS);
  };
  const ackSettled = (): void => {
    if (!acks) return;
    acks.advance()?.ack();
    readWhileHeld();
  };
  const holding = acks
    ? setInterval(
        () => {
          if (acks.holding === 0) return;
          acks.held.forEach((m) => m.working());
          if (!inHand.has(acks.position + 1)) void readFloor();
        },
        Math.max(250, ackWaitMs / 3),
      )
    : undefined;

  const handleBatch = async (batch: JsMsg[]): Promise<void> => {
    let outcomes: Outcome[];
    // A slow batch (the ledger catching up) tells the server it is still working, so the
    // ack wait can stay short and a crashed instance's messages come back quickly.
    const heartbeat = setInterval(() => batch.forEach((m) => m.working()), Math.max(250, ackWaitMs / 3));
    try {
      outcomes = await o.handle(batch);
    } catch (error) {
      o.log?.(`${o.durable}: batch of ${batch.length} failed: ${(error as Error).message}`);
      outcomes = batch.map(() => retryAfter(error));
    } finally {
      clearInterval(heartbeat);
    }
    await Promise.all(batch.map((m, i) => settle(m, outcomes[i] ?? { kind: 'retry', reason: 'no outcome' })));
    ackSettled();
  };

  /**
   * Hands batches to `handle` in stream order, up to `concurrency` at a time, one per turn of the
   * event loop: what a batch starts (requests, appends) goes out before the next batch is read, so
   * the batches in flight reach the ledger at different times and their commits overlap with the
   * reading of the next ones instead of all waiting for one another.
   */
  let pumpScheduled = false;
  const pump = (): void => {
    pumpScheduled = false;
    if (buffer.length === 0 || inFlight.size >= concurrency) return;
    const running: Promise<void> = handleBatch(buffer.splice(0, batchSize)).finally(() => {
      inFlight.delete(running);
      schedulePump();
    });
    inFlight.add(running);
    schedulePump();
  };
  const schedulePump = (): void => {
    if (pumpScheduled || buffer.length === 0 || inFlight.size >= concurrency) return;
    pumpScheduled = true;
    setImmediate(pump);
  };

  const loop = (async () => {
    for await (const m of messages) {
      if (acks) inHand.add(m.seq);
      buffer.push(m);
      // The rest of this read joins the batch before it starts.
      schedulePump();
    }
  })().catch((error: Error) => {
    // A retired consumer may be deleted by another instance that finished it first: expected.
    if (o.existing && /consumer deleted/i.test(error.message)) return;
    o.log?.(`${o.durable}: stopped taking messages: ${error.message}`);
  });

  return {
    async stop() {
      await drainMessages(messages);
      await loop.catch(() => undefined);
      // Whatever the loop buffered is handled too (its pump may not have run yet), then acked.
      while (buffer.length > 0 || inFlight.size > 0) {
        pump();
        await Promise.race([...inFlight]);
      }
      stopped = true;
      clearInterval(holding);
      clearTimeout(readSoon);
      // What waited for another instance's acks: once more, and what is still held is delivered again.
      if (acks && acks.holding > 0) await readFloor();
    },
  };
}

/** The parts of a JetStream message a dead-letter record keeps. */
export function describeForDeadLetter(m: JsMsg, consumer: string) {
  const headers: Record<string, string[]> = {};
  if (m.headers) for (const key of m.headers.keys()) headers[key] = m.headers.values(key);
  return {
    stream: m.info.stream,
    consumer,
    subject: m.subject,
    streamSeq: m.seq,
    deliveries: m.info.redeliveryCount,
    headers,
    payload: m.data,
  };
}
