import { AckPolicy, connect, JsMsg, NatsConnection, StringCodec } from 'nats';
import { Streams } from '@workgate/contracts';
import { listDeadLetters, recordDeadLetter } from '@workgate/event-store';
import { freshDatabase, TestDatabase } from '../../test/support/database';
import { startNatsServer, TestNatsServer } from '../../test/support/nats-server';
import { eventually } from '../../test/support/processes';
import { ensureStreams } from './jetstream';
import { describeForDeadLetter, Outcome, runPullConsumer } from './pull-consumer';

describe('durable pull consumer over a real NATS server', () => {
  let nats: TestNatsServer;
  let nc: NatsConnection;
  let db: TestDatabase;
  beforeAll(async () => {
    nats = await startNatsServer();
    nc = await connect({ servers: nats.url });
    await ensureStreams(nc);
    db = await freshDatabase();
  });
  afterAll(async () => {
    await db.drop();
    await nc.close();
    await nats.stop();
  });

  it('acks after handling, retries with back-off, waits out outages, and dead-letters what can never be processed', async () => {
    const pool = db.ownerPool();
    const js = nc.jetstream();
    const sc = StringCodec();
    const attempts = new Map<string, number>();
    const handled: string[] = [];
    const consumer = await runPullConsumer(nc, {
      stream: Streams.workEvents.name,
      durable: 'consumer-test',
      filterSubject: 'workgate.events.consumer-test',
      maxDeliver: 3,
      backoffMs: [20, 40],
      handle: async (messages: JsMsg[]): Promise<Outcome[]> =>
        messages.map((m) => {
          const body = sc.decode(m.data);
          attempts.set(body, (attempts.get(body) ?? 0) + 1);
          if (body === 'poison') return { kind: 'reject', reason: 'not a CloudEvent' };
          if (body === 'flaky' && attempts.get(body)! < 2) return { kind: 'retry', reason: 'ledger busy' };
          if (body === 'doomed') return { kind: 'retry', reason: 'ledger busy' };
          // The ledger is down for five deliveries, more than maxDeliver: an outage is waited out.
          if (body === 'outage' && attempts.get(body)! <= 5)
            return { kind: 'retry', reason: 'ledger unavailable', outage: true };
          handled.push(body);
          return { kind: 'ack' };
        }),
      deadLetter: (m, reason) => recordDeadLetter(pool, { ...describeForDeadLetter(m, 'consumer-test'), reason }),
    });
    try {
      for (const body of ['ok-1', 'poison', 'flaky', 'doomed', 'outage', 'ok-2']) {
        await js.publish('workgate.events.consumer-test', sc.encode(body));
      }
      await eventually(
        async () => (await listDeadLetters(pool)).length === 2 && handled.length === 4,
        10_000,
        'dead letters',
      );
      expect(handled.sort()).toEqual(['flaky', 'ok-1', 'ok-2', 'outage']);
      expect(attempts.get('outage')).toBe(6);
      expect(attempts.get('flaky')).toBe(2);
      expect(attempts.get('doomed')).toBe(3);
      expect(attempts.get('poison')).toBe(1);
      const letters = await listDeadLetters(pool);
      expect(letters.map((l) => [sc.decode(l.payload), l.reason]).sort()).toEqual([
        ['doomed', 'gave up after 3 deliveries: ledger busy'],
        ['poison', 'not a CloudEvent'],
      ]);
    } finally {
      await consumer.stop();
    }
    // Nothing is redelivered after it was acked or dead-lettered.
    await new Promise((r) => setTimeout(r, 200));
    const info = await (await nc.jetstreamManager()).consumers.info(Streams.workEvents.name, 'consumer-test');
    expect(info.num_ack_pending).toBe(0);
    expect(info.num_pending).toBe(0);
  });

  it('runs a consumer it may only run when it exists without creating it again once deleted', async () => {
    const jsm = await ensureStreams(nc);
    const options = {
      stream: Streams.workEvents.name,
      durable: 'retired-test',
      filterSubject: 'workgate.events.retired-test',
      existing: true,
      handle: async (messages: JsMsg[]): Promise<Outcome[]> => messages.map(() => ({ kind: 'ack' })),
      deadLetter: async () => undefined,
    };
    await expect(runPullConsumer(nc, options)).rejects.toThrow(/not found/);
    await expect(jsm.consumers.info(Streams.workEvents.name, 'retired-test')).rejects.toThrow(/not found/);
    await jsm.consumers.add(Streams.workEvents.name, {
      durable_name: 'retired-test',
      ack_policy: AckPolicy.Explicit,
      filter_subject: 'workgate.events.retired-test',
    });
    const consumer = await runPullConsumer(nc, options);
    await consumer.stop();
  });

  it('reads at most two batches ahead of the batches being handled', async () => {
    const js = nc.jetstream();
    const jsm = await ensureStreams(nc);
    const handled: number[] = [];
    let open!: () => void;
    const gate = new Promise<void>((r) => (open = r));
    const consumer = await runPullConsumer(nc, {
      stream: Streams.workEvents.name,
      durable: 'read-ahead-test',
      filterSubject: 'workgate.events.read-ahead-test',
      batch: 10,
      concurrency: 2,
      handle: async (messages: JsMsg[]): Promise<Outcome[]> => {
        handled.push(messages.length);
        await gate;
        return messages.map(() => ({ kind: 'ack' }));
      },
      deadLetter: async () => undefined,
    });
    try {
      for (let i = 0; i < 200; i++) await js.publish('workgate.events.read-ahead-test', new Uint8Array([i]));
      const held = async () => (await jsm.consumers.info(Streams.workEvents.name, 'read-ahead-test')).num_ack_pending;
      // Two batches handled, two read ahead: the server holds back the rest.
      await eventually(async () => (await held()) === 40 && handled.length === 2, 5000, 'the read-ahead filling up');
      await new Promise((r) => setTimeout(r, 300));
      expect(await held()).toBe(40);
      expect((await jsm.consumers.info(Streams.workEvents.name, 'read-ahead-test')).num_pending).toBe(160);
      open();
      await eventually(
        async () => handled.reduce((a, b) => a + b, 0) === 200 && (await held()) === 0,
        10_000,
        'every message handled',
      );
    } finally {
      open();
      await consumer.stop();
    }
  });

  /** Publishes to `subject` until stopped: bursts of 50 back to back, or one message every `everyMs`. */
  const publishUntilStopped = (subject: string, everyMs?: number) => {
    const js = nc.jetstream();
    let publishing = true;
    const done = (async () => {
      for (let i = 0; publishing; i += everyMs ? 1 : 50) {
        if (everyMs) {
          await js.publish(subject, Buffer.from(`${i}`));
          await new Promise((r) => setTimeout(r, everyMs));
        } else {
          await Promise.all(Array.from({ length: 50 }, (_, k) => js.publish(subject, Buffer.from(`${i + k}`))));
        }
      }
    })();
    // A failed publish fails the test when the publisher is stopped, not as an unhandled rejection.
    const failed = done.then(
      () => undefined,
      (error: unknown) => error,
    );
    return {
      stop: async () => {
        publishing = false;
        expect(await failed).toBeUndefined();
      },
    };
  };

  /** A consumer that records what it handled, holding each batch 2 ms (a commit's worth of waiting). */
  const recordingConsumer = (durable: string, subject: string, handled: Set<number>) =>
    runPullConsumer(nc, {
      stream: Streams.workEvents.name,
      durable,
      filterSubject: subject,
      batch: 32,
      concurrency: 2,
      handle: async (messages: JsMsg[]): Promise<Outcome[]> => {
        await new Promise((r) => setTimeout(r, 2));
        messages.forEach((m) => handled.add(Number(Buffer.from(m.data).toString())));
        return messages.map(() => ({ kind: 'ack' }));
      },
      deadLetter: async () => undefined,
    });

  /**
   * The consumer's counts once the server has applied the acks sent before (it answers requests
   * sent later first): what is still ack-pending after 2 s stays so until its ack wait.
   */
  const settled = async (durable: string) => {
    const jsm = await ensureStreams(nc);
    const info = () => jsm.consumers.info(Streams.workEvents.name, durable);
    const i =
      (await eventually(async () => ((await info()).num_ack_pending === 0 ? info() : undefined), 2000, 'acks').catch(
        () => undefined,
      )) ?? (await info());
    return {
      ackPending: i.num_ack_pending,
      delivered: i.delivered.stream_seq,
      acked: i.ack_floor.stream_seq,
      deliveries: i.delivered.consumer_seq,
    };
  };

  it('stopped while messages stream in, leaves nothing taken and unacked: each stop under load, twenty times', async () => {
    const subject = 'workgate.events.stop-under-load-test';
    const handled = new Set<number>();
    const publisher = publishUntilStopped(subject);
    const seen: { handled: number; ackPending: number; delivered: number; acked: number; deliveries: number }[] = [];
    try {
      for (let round = 0; round < 20; round++) {
        const atStart = handled.size;
        const consumer = await recordingConsumer('stop-under-load-test', subject, handled);
        await eventually(async () => handled.size >= atStart + 300, 10_000, 'messages handled in this round');
        await consumer.stop();
        seen.push({ handled: handled.size - atStart, ...(await settled('stop-under-load-test')) });
      }
    } finally {
      await publisher.stop();
    }
    // Every round handled messages, and after each stop what was delivered was acked.
    expect(seen.filter((s) => s.handled < 300)).toEqual([]);
    expect(seen.filter((s) => s.ackPending !== 0 || s.delivered !== s.acked)).toEqual([]);
  });

  it('stopped while a trickle flows, waits until its open pull requests are filled or expire, and leaves nothing unacked', async () => {
    const subject = 'workgate.events.stop-in-a-trickle-test';
    const handled = new Set<number>();
    // A message every 20 ms: never 100 ms without one, and too few to fill the open requests at once.
    const publisher = publishUntilStopped(subject, 20);
    try {
      const consumer = await recordingConsumer('stop-in-a-trickle-test', subject, handled);
      await eventually(async () => handled.size >= 20, 10_000, 'the first messages handled');
      const stopping = Date.now();
      await consumer.stop();
      const stopMs = Date.now() - stopping;
      const after = await settled('stop-in-a-trickle-test');
      process.stdout.write(`stop in a trickle: ${stopMs} ms, ${handled.size} handled\n`);
      expect(after.ackPending).toBe(0);
      expect(after.delivered).toBe(after.acked);
      // Everything delivered was handled, once: the stop took in what the open requests still brought.
      expect(handled.size).toBe(after.deliveries);
    } finally {
      await publisher.stop();
    }
  });
});
