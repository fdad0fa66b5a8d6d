import { ConsumerMessages, JsMsg, NatsConnection, Subscription } from 'nats';
import { DurableConsumerSettings, ensureConsumer } from './durable-consumer';
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

export interface PullConsumerOptions extends DurableConsumerSettings {
  /** Deliveries before a message that keeps failing (for a reason of its own, not an outage) is dead-lettered. */
  maxDeliver?: number;
  /** Delay before redelivery, per failed delivery (the last one repeats). */
  backoffMs?: number[];
  /** Processes a batch in stream order; resolves with one outcome per message, after the Postgres commit. */
  handle: (messages: JsMsg[]) => Promise<Outcome[]>;
  /** Keeps a message that can never be processed (raw bytes + reason). Must be durable before it resolves. */
  deadLetter: (message: JsMsg, reason: string) => Promise<void>;
  log?: (message: string) => void;
}

export interface RunningConsumer {
  stop(): Promise<void>;
}

/** A short pull expiry: a pull request left behind by a crashed instance stops attracting messages soon. */
const PULL_EXPIRES_MS = 5000;

/** Whether the iterator's internal `sub` is a nats.js subscription that can be drained. */
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

/** Resolves after `ms`, or as soon as `early` settles; leaves no timer behind. */
function waitAtMost(ms: number, early: Promise<void>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const elapsed = new Promise<void>((resolve) => (timer = setTimeout(resolve, Math.max(0, ms))));
  return Promise.race([elapsed, early]).finally(() => clearTimeout(timer));
}

/** Resolves once the event loop has read what is waiting on its sockets (a timer may fire before that). */
const afterPendingReads = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * Ends a consume() iterator without leaving a message taken and unacked while messages flow. First
 * no further pull requests: the iterator then ends by itself once the server has sent all that the
 * requests still open asked for, or they expired (`PULL_EXPIRES_MS`). Only when no message came for
 * `quietMs` (the requests wait for messages that do not come: idle, or a trickle has stopped) is its
 * inbox subscription drained before that: the server learns there is no more interest, and every
 * message that arrived before it did is still handed over (up to `drainMs`; NATS unreachable: it
 * waits for the server, then falls back to `close()`). Ending the requests first matters because the
 * server may send a message it picked for an open request just after it learned of the
 * unsubscription: that message is dropped on arrival and waits out its ack wait before it is
 * delivered again, so an idle consumer can still leave one published at the very instant of its
 * stop. `close()` alone unsubscribes at once and drops whatever is on the wire. Reaches two
 * internals of the nats.js 2.x iterator (`refilling`, `sub`); without them it falls back to `close()`.
 */
async function drainMessages(
  messages: ConsumerMessages,
  ended: Promise<void>,
  lastMessageAt: () => number,
  { quietMs = 100, requestsMs = PULL_EXPIRES_MS + 500, drainMs = 5000 } = {},
): Promise<void> {
  if (typeof Reflect.get(messages, 'refilling') === 'boolean') Reflect.set(messages, 'refilling', false);
  const deadline = Date.now() + requestsMs;
  let over = false;
  void ended.then(() => (over = true));
  for (;;) {
    await afterPendingReads();
    const wait = Math.min(lastMessageAt() + quietMs, deadline) - Date.now();
    if (over || wait <= 0) break;
    await waitAtMost(wait, ended);
  }
  const sub: unknown = Reflect.get(messages, 'sub');
  if (!over && isSubscription(sub) && !sub.isClosed()) {
    await waitAtMost(
      drainMs,
      sub.drain().catch(() => undefined),
    );
  }
  await messages.close().catch(() => undefined);
}

/**
 * A durable pull consumer: messages are processed in batches (taken while the previous batch is
 * being handled), each acked only after `handle` says its commit is done, retried with back-off,
 * and dead-lettered with a reason when they can never be processed.
 */
export async function runPullConsumer(nc: NatsConnection, o: PullConsumerOptions): Promise<RunningConsumer> {
  const jsm = await nc.jetstreamManager();
  await ensureConsumer(jsm, o);
  const batchSize = o.batch ?? 256;
  const maxDeliver = o.maxDeliver ?? 5;
  const backoff = o.backoffMs ?? [250, 1000, 5000, 15000];
  const consumer = await nc.jetstream().consumers.get(o.stream, o.durable);
  const messages = await consumer.consume({ max_messages: batchSize * 2, expires: PULL_EXPIRES_MS });
  const ackWaitMs = o.ackWaitMs ?? 30_000;

  const buffer: JsMsg[] = [];
  const concurrency = Math.max(1, o.concurrency ?? 1);
  const inFlight = new Set<Promise<void>>();
  const settle = async (m: JsMsg, outcome: Outcome): Promise<void> => {
    if (outcome.kind === 'ack') {
      m.ack();
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
      m.term();
    } catch (error) {
      o.log?.(`cannot keep dead letter ${o.stream}#${m.seq}: ${(error as Error).message}; will retry`);
      m.nak(backoff[backoff.length - 1]);
    }
  };

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

  let lastMessageAt = 0;
  const loop = (async () => {
    for await (const m of messages) {
      lastMessageAt = Date.now();
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
      await drainMessages(
        messages,
        loop.then(
          () => undefined,
          () => undefined,
        ),
        () => lastMessageAt,
      );
      await loop.catch(() => undefined);
      // Whatever the loop buffered is handled too (its pump may not have run yet), then acked.
      while (buffer.length > 0 || inFlight.size > 0) {
        pump();
        await Promise.race([...inFlight]);
      }
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
