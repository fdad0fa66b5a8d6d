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

  it('stopped while messages stream in, leaves nothing taken and unacked: each stop under load, twenty times', async () => {
    const subject = 'workgate.events.stop-under-load-test';
    const js = nc.jetstream();
    const jsm = await ensureStreams(nc);
    const handled = new Set<number>();
    let publishing = true;
    const publisher = (async () => {
      for (let i = 0; publishing; i += 50) {
        await Promise.all(
          Array.from({ length: 50 }, (_, k) => js.publish(subject, new Uint8Array(Buffer.from(`${i + k}`)))),
        );
      }
    })();
    const seen: { handled: number; ackPending: number; delivered: number; acked: number }[] = [];
    try {
      for (let round = 0; round < 20; round++) {
        const atStart = handled.size;
        const consumer = await runPullConsumer(nc, {
          stream: Streams.workEvents.name,
          durable: 'stop-under-load-test',
          filterSubject: subject,
          batch: 32,
          concurrency: 2,
          // A commit's worth of waiting per batch, so messages are taken and not yet acked at the stop.
          handle: async (messages: JsMsg[]): Promise<Outcome[]> => {
            await new Promise((r) => setTimeout(r, 2));
            messages.forEach((m) => handled.add(Number(Buffer.from(m.data).toString())));
            return messages.map(() => ({ kind: 'ack' }));
          },
          deadLetter: async () => undefined,
        });
        await eventually(async () => handled.size >= atStart + 300, 10_000, 'messages handled in this round');
        await consumer.stop();
        // The server applies acks after it answers requests sent later; what is still pending after 2 s stays until its ack wait.
        const settled = async () => {
          const i = await jsm.consumers.info(Streams.workEvents.name, 'stop-under-load-test');
          return i.num_ack_pending === 0 ? i : undefined;
        };
        const info =
          (await eventually(settled, 2000, 'acks applied').catch(() => undefined)) ??
          (await jsm.consumers.info(Streams.workEvents.name, 'stop-under-load-test'));
        seen.push({
          handled: handled.size - atStart,
          ackPending: info.num_ack_pending,
          delivered: info.delivered.stream_seq,
          acked: info.ack_floor.stream_seq,
        });
      }
    } finally {
      publishing = false;
      await publisher;
    }
    // Every round handled messages, and after each stop what was delivered was acked.
    expect(seen.filter((s) => s.handled < 300)).toEqual([]);
    expect(seen.filter((s) => s.ackPending !== 0 || s.delivered !== s.acked)).toEqual([]);
  });
});
