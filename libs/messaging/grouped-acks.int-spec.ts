import { AckPolicy, connect, JsMsg, NatsConnection, StringCodec } from 'nats';
import { Streams } from '@workgate/contracts';
import { JetStreamBatchPublisher } from './batch-publisher';
import { startNatsServer, TestNatsServer } from '../../test/support/nats-server';
import { eventually } from '../../test/support/processes';
import { ensureStreams } from './jetstream';
import { Outcome, runPullConsumer } from './pull-consumer';

/** One ack for many messages, against a real nats-server: chained publishes, and consumers acking with AckPolicy.All. */
describe('grouped acks over a real NATS server', () => {
  let nats: TestNatsServer;
  let nc: NatsConnection;

  beforeAll(async () => {
    nats = await startNatsServer();
    nc = await connect({ servers: nats.url });
  });
  afterAll(async () => {
    await nc.close();
    await nats.stop();
  });

  it('publishes a chained batch with one ack: in order, at its place, or refused leaving a prefix', async () => {
    const jsm = await nc.jetstreamManager();
    await jsm.streams.add({ name: 'CHAINTEST', subjects: ['chaintest.>'] });
    const publisher = new JetStreamBatchPublisher(nc, 'CHAINTEST');
    const acks: string[] = [];
    // Every publish ack the server sends, to any inbox: one per chained batch.
    const watch = nc.subscribe('_INBOX.>', {
      callback: (_e, m) => /^\{"(stream|error)"/.test(m.string()) && acks.push(m.string()),
    });
    const batch = (from: number, count: number, id = (seq: number) => `id-${seq}`) =>
      Array.from({ length: count }, (_, i) => ({
        subject: `chaintest.${from + i}`,
        data: StringCodec().encode(`m${from + i}`),
        msgId: id(from + i),
        expectedLastSeq: from + i - 1,
      }));
    try {
      await publisher.publishChained(batch(1, 50));
      await nc.flush();
      expect(acks).toHaveLength(1);
      const stored = await Promise.all(
        [1, 25, 50].map(async (seq) => (await jsm.streams.getMessage('CHAINTEST', { seq })).string()),
      );
      expect(stored).toEqual(['m1', 'm25', 'm50']);
      // Message 55 repeats an earlier id: the server drops it, so every later one is refused.
      await expect(publisher.publishChained(batch(51, 10, (seq) => `id-${seq === 55 ? 3 : seq}`))).rejects.toThrow(
        /wrong last sequence: 54/,
      );
      expect((await jsm.streams.info('CHAINTEST')).state.last_seq).toBe(54);
      // The page sent again: what the stream holds is dropped as duplicates, the rest follows at its place.
      await publisher.publishChained(batch(51, 10));
      expect((await jsm.streams.info('CHAINTEST')).state.last_seq).toBe(60);
      const resent = await Promise.all(
        [54, 55, 60].map(async (seq) => (await jsm.streams.getMessage('CHAINTEST', { seq })).string()),
      );
      expect(resent).toEqual(['m54', 'm55', 'm60']);
      expect(acks).toHaveLength(3);
      await expect(publisher.publishChained([...batch(61, 2), ...batch(64, 1)])).rejects.toThrow(
        /one sequence after another/,
      );
    } finally {
      watch.unsubscribe();
      publisher.close();
      await jsm.streams.delete('CHAINTEST');
    }
  });

  describe('a durable pull consumer with grouped acks (AckPolicy.All)', () => {
    /** A stream of its own per test, so stream sequences are the messages' numbers. */
    const streamOf = async (name: string, count: number) => {
      const jsm = await nc.jetstreamManager();
      await jsm.streams.add({ name, subjects: [`${name.toLowerCase()}.>`] });
      for (let i = 1; i <= count; i++)
        await nc.jetstream().publish(`${name.toLowerCase()}.m`, StringCodec().encode(`m${i}`));
      return jsm;
    };
    const floorOf = async (stream: string, durable: string) => {
      const info = await (await nc.jetstreamManager()).consumers.info(stream, durable);
      return { floor: info.ack_floor.stream_seq, pending: info.num_ack_pending, policy: info.config.ack_policy };
    };

    it("never acks past a message nak'd for a retry; dead letters are covered, not terminated", async () => {
      // Fewer than the consumer may hold unacked (32): every one is delivered while 7 waits.
      const jsm = await streamOf('ACKRETRY', 24);
      const attempts = new Map<number, number>();
      const lettered: number[] = [];
      const consumer = await runPullConsumer(nc, {
        stream: 'ACKRETRY',
        durable: 'grouped',
        filterSubject: 'ackretry.>',
        ackAll: true,
        batch: 8,
        concurrency: 2,
        backoffMs: [1500],
        handle: async (messages: JsMsg[]): Promise<Outcome[]> =>
          messages.map((m) => {
            attempts.set(m.seq, (attempts.get(m.seq) ?? 0) + 1);
            if (m.seq === 20) return { kind: 'reject', reason: 'not a CloudEvent' };
            if (m.seq === 7 && attempts.get(7) === 1) return { kind: 'retry', reason: 'ledger busy' };
            return { kind: 'ack' };
          }),
        deadLetter: async (m) => void lettered.push(m.seq),
      });
      try {
        await eventually(async () => attempts.size === 24, 10_000, 'every message handled once');
        await new Promise((r) => setTimeout(r, 300));
        // Message 7 waits for its retry: nothing from it on is acknowledged, nothing is lost.
        expect(attempts.get(7)).toBe(1);
        expect(await floorOf('ACKRETRY', 'grouped')).toEqual({ floor: 6, pending: 18, policy: AckPolicy.All });
        await eventually(
          async () => (await floorOf('ACKRETRY', 'grouped')).floor === 24,
          10_000,
          'the retry going through and the floor passing every message',
        );
        expect(attempts.get(7)).toBe(2);
        expect(lettered).toEqual([20]);
        expect((await floorOf('ACKRETRY', 'grouped')).pending).toBe(0);
        // Nothing but message 7 was delivered twice.
        expect([...attempts.entries()].filter(([, n]) => n > 1)).toEqual([[7, 2]]);
      } finally {
        await consumer.stop();
        await jsm.streams.delete('ACKRETRY');
      }
    });

    it('shared by two instances, the floor never passes a message before it was handled', async () => {
      const jsm = await streamOf('ACKSHARED', 300);
      const handled = new Set<number>();
      const byInstance = [0, 0];
      const options = (k: number) => ({
        stream: 'ACKSHARED',
        durable: 'grouped',
        filterSubject: 'ackshared.>',
        ackAll: true,
        batch: 10,
        concurrency: 2,
        handle: async (messages: JsMsg[]): Promise<Outcome[]> => {
          await new Promise((r) => setTimeout(r, 5 + ((messages[0].seq * 7) % 20)));
          messages.forEach((m) => handled.add(m.seq));
          byInstance[k] += messages.length;
          return messages.map(() => ({ kind: 'ack' }));
        },
        deadLetter: async () => undefined,
      });
      const consumers = [await runPullConsumer(nc, options(0)), await runPullConsumer(nc, options(1))];
      const violations: number[] = [];
      try {
        await eventually(
          async () => {
            const { floor } = await floorOf('ACKSHARED', 'grouped');
            for (let seq = 1; seq <= floor; seq++) if (!handled.has(seq)) violations.push(seq);
            return floor === 300;
          },
          20_000,
          'the floor reaching the last message',
        );
        expect(violations).toEqual([]);
        expect(handled.size).toBe(300);
        expect(byInstance.every((n) => n > 0)).toBe(true);
        expect((await floorOf('ACKSHARED', 'grouped')).pending).toBe(0);
      } finally {
        for (const c of consumers) await c.stop();
        await jsm.streams.delete('ACKSHARED');
      }
    });

    it('takes over a durable with explicit acks from its ack floor, deletes it, and refuses a policy change in place', async () => {
      const jsm = await streamOf('ACKTAKEOVER', 30);
      await jsm.consumers.add('ACKTAKEOVER', {
        durable_name: 'explicit',
        ack_policy: AckPolicy.Explicit,
        filter_subject: 'acktakeover.>',
      });
      // The old durable acked 1-10 and 12; 11 and 13-15 were delivered and never acked.
      const old = await nc.jetstream().consumers.get('ACKTAKEOVER', 'explicit');
      const fetched = await old.fetch({ max_messages: 15, expires: 2000 });
      for await (const m of fetched) if (m.seq <= 10 || m.seq === 12) m.ack();
      await nc.flush();
      await eventually(
        async () => (await floorOf('ACKTAKEOVER', 'explicit')).floor === 10,
        5000,
        'the old floor at 10',
      );
      const seen: number[] = [];
      const options = {
        stream: 'ACKTAKEOVER',
        filterSubject: 'acktakeover.>',
        ackAll: true,
        handle: async (messages: JsMsg[]): Promise<Outcome[]> => {
          seen.push(...messages.map((m) => m.seq));
          return messages.map(() => ({ kind: 'ack' }));
        },
        deadLetter: async () => undefined,
      };
      await expect(runPullConsumer(nc, { ...options, durable: 'explicit' })).rejects.toThrow(
        /cannot be changed in place/,
      );
      const consumer = await runPullConsumer(nc, { ...options, durable: 'grouped', replaces: 'explicit' });
      try {
        await eventually(async () => (await floorOf('ACKTAKEOVER', 'grouped')).floor === 30, 10_000, 'the takeover');
        // From the old floor on, 12 included (acked above the floor: delivered again).
        expect(seen).toEqual(Array.from({ length: 20 }, (_, i) => i + 11));
        await expect(jsm.consumers.info('ACKTAKEOVER', 'explicit')).rejects.toThrow(/not found/);
      } finally {
        await consumer.stop();
      }
      // Once taken over, a start finds the new durable and leaves it where it is.
      const again = await runPullConsumer(nc, { ...options, durable: 'grouped', replaces: 'explicit' });
      await again.stop();
      expect(seen).toHaveLength(20);
      await jsm.streams.delete('ACKTAKEOVER');
    });

    it('refuses to ack all on a consumer that sees only part of its stream', async () => {
      await ensureStreams(nc);
      await expect(
        runPullConsumer(nc, {
          stream: Streams.workEvents.name,
          durable: 'grouped-partial',
          filterSubject: 'workgate.events.grouped-partial',
          ackAll: true,
          handle: async (messages: JsMsg[]): Promise<Outcome[]> => messages.map(() => ({ kind: 'ack' })),
          deadLetter: async () => undefined,
        }),
      ).rejects.toThrow(/would wait for messages it is never given/);
    });
  });
});
