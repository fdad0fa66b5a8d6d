import { Controller, DynamicModule, INestMicroservice, Module } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { AckPolicy, connect, JsMsg, NatsConnection, StringCodec } from 'nats';
import { Streams, WorkgateError, rpc as rpc_ } from '@workgate/contracts';
import { loadConfig } from '@workgate/config';
import { listDeadLetters, recordDeadLetter } from '@workgate/event-store';
import { freshDatabase, TestDatabase } from '../../test/support/database';
import { startNatsServer, TestNatsServer } from '../../test/support/nats-server';
import { eventually } from '../../test/support/processes';
import { JetStreamBatchPublisher } from './batch-publisher';
import { ensureStreams } from './jetstream';
import { describeForDeadLetter, Outcome, runPullConsumer } from './pull-consumer';
import { RpcClient } from './rpc-client';
import { ServiceContext, ServiceCoreModule, startMicroservice } from './service';

const served: string[] = [];

@Controller()
class EchoController {
  @MessagePattern('workgate.policy.echo')
  echo(@Payload() body: { text: string; instance: string }) {
    served.push(body.text);
    return { text: body.text };
  }
  @MessagePattern('workgate.policy.refuse')
  refuse(): never {
    throw new WorkgateError('version_conflict', 'stream x is at version 2', [{ currentVersion: 2 }]);
  }
  @MessagePattern('workgate.policy.crash')
  crash(): never {
    throw new Error('secret connection string postgres://user:hunter2@db');
  }
  @MessagePattern('workgate.policy.slow')
  async slow(): Promise<string> {
    await new Promise((r) => setTimeout(r, 300));
    return 'late';
  }
}

@Module({})
class EchoModule {
  static register(ctx: ServiceContext): DynamicModule {
    return { module: EchoModule, imports: [ServiceCoreModule.forService(ctx)], controllers: [EchoController] };
  }
}

describe('messaging over a real NATS server', () => {
  let nats: TestNatsServer;
  let nc: NatsConnection;
  let rpc: RpcClient;
  const apps: INestMicroservice[] = [];

  beforeAll(async () => {
    nats = await startNatsServer();
    nc = await connect({ servers: nats.url });
    rpc = new RpcClient(nc, 2000);
    const config = loadConfig({ NATS_URL: nats.url, LOG_LEVEL: 'silent' });
    for (const instance of ['a', 'b']) {
      apps.push(
        await startMicroservice((ctx) => EchoModule.register(ctx), { service: 'policy', instance, config, nc }),
      );
    }
  });
  afterAll(async () => {
    for (const app of apps) await app.close();
    await nc.close();
    await nats.stop();
  });

  it('answers each request once, shared across instances in the service queue group', async () => {
    served.length = 0;
    const replies = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        rpc.request(rpc_<{ text: string }, { text: string }>('workgate.policy.echo'), { text: `m${i}` }),
      ),
    );
    expect(replies.map((r) => r.text)).toEqual(Array.from({ length: 100 }, (_, i) => `m${i}`));
    expect(served.sort()).toEqual(Array.from({ length: 100 }, (_, i) => `m${i}`).sort());
  });

  it('answers only on inbox reply subjects: a request naming another reply subject gets nothing there', async () => {
    const elsewhere: string[] = [];
    const sub = nc.subscribe('ledger.workorder.Forged', {
      callback: (_e, m) => elsewhere.push(new TextDecoder().decode(m.data)),
    });
    nc.publish('workgate.policy.echo', new TextEncoder().encode(JSON.stringify({ text: 'forged' })), {
      reply: 'ledger.workorder.Forged',
    });
    // Served (the handler ran), then a round trip: an answer published there would have arrived by now.
    for (let i = 0; i < 100 && !served.includes('forged'); i++) await new Promise((r) => setTimeout(r, 10));
    expect(served).toContain('forged');
    await nc.flush();
    expect(elsewhere).toEqual([]);
    // An inbox reply is answered as ever.
    expect(await rpc.request(rpc_('workgate.policy.echo'), { text: 'after' })).toEqual({ text: 'after' });
    sub.unsubscribe();
  });

  it('carries a refusal across NATS with its stable code, message and details', async () => {
    await expect(rpc.request(rpc_('workgate.policy.refuse'), {})).rejects.toEqual(
      expect.objectContaining({
        code: 'version_conflict',
        message: 'stream x is at version 2',
        details: [{ currentVersion: 2 }],
      }),
    );
  });

  it('turns an unexpected failure into `internal` without leaking its text', async () => {
    const error: unknown = await rpc.request(rpc_('workgate.policy.crash'), {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkgateError);
    expect(error).toMatchObject({ code: 'internal' });
    expect(error instanceof WorkgateError && error.message).not.toMatch(/hunter2/);
  });

  it('times out explicitly, and says when nobody answers', async () => {
    await expect(rpc.request(rpc_('workgate.policy.slow'), {}, { timeoutMs: 50 })).rejects.toMatchObject({
      code: 'timeout',
    });
    await expect(rpc.request(rpc_('workgate.nobody.home'), {})).rejects.toMatchObject({ code: 'unavailable' });
  });

  it('publishes batches to JetStream with their headers, refusing a gap and a header value with a line break', async () => {
    const jsm = await nc.jetstreamManager();
    await jsm.streams.add({ name: 'PUBTEST', subjects: ['pubtest.>'] });
    const publisher = new JetStreamBatchPublisher(nc, 'PUBTEST');
    const batch = (from: number, position = (n: number) => String(n)) =>
      [0, 1].map((i) => ({
        subject: `pubtest.${from + i}`,
        data: StringCodec().encode(`m${from + i}`),
        msgId: `id-${from + i}`,
        expectedLastSeq: from + i - 1,
        headers: { 'Workgate-Position': position(from + i) },
      }));
    try {
      await publisher.publish(batch(1));
      await publisher.publish(batch(3)); // header names checked once before are stored directly
      for (const seq of [1, 2, 3, 4]) {
        const m = await jsm.streams.getMessage('PUBTEST', { seq });
        expect([
          m.header.get('Nats-Msg-Id'),
          m.header.get('Nats-Expected-Stream'),
          m.header.get('Workgate-Position'),
        ]).toEqual([`id-${seq}`, 'PUBTEST', String(seq)]);
      }
      await expect(publisher.publish(batch(10))).rejects.toThrow(/last sequence/);
      await expect(publisher.publish(batch(5, () => 'x\r\nNats-Msg-Id: forged'))).rejects.toThrow(
        /invalid header value/,
      );
      expect((await jsm.streams.info('PUBTEST')).state.last_seq).toBe(4);
    } finally {
      publisher.close();
    }
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

  it('creates the evidence streams idempotently, refusing deletes and purges', async () => {
    await ensureStreams(nc);
    const jsm = await ensureStreams(nc);
    for (const name of [Streams.workEvents.name, Streams.ledger.name]) {
      const info = await jsm.streams.info(name);
      expect(info.config).toMatchObject({ deny_delete: true, deny_purge: true });
    }
    const ack = await nc.jetstream().publish('workgate.events.test', StringCodec().encode('{}'));
    await expect(jsm.streams.purge(Streams.workEvents.name)).rejects.toThrow();
    await expect(jsm.streams.deleteMessage(Streams.workEvents.name, ack.seq)).rejects.toThrow();
    expect((await jsm.streams.info(Streams.workEvents.name)).state.messages).toBeGreaterThanOrEqual(1);
  });

  describe('durable pull consumer', () => {
    let db: TestDatabase;
    beforeAll(async () => {
      db = await freshDatabase();
    });
    afterAll(async () => db.drop());

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

    describe('with grouped acks (AckPolicy.All)', () => {
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
  });
});
