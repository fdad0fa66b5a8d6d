import { Controller, DynamicModule, INestMicroservice, Module } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { connect, NatsConnection, StringCodec } from 'nats';
import { Streams, WorkgateError, rpc as rpc_ } from '@workgate/contracts';
import { loadConfig } from '@workgate/config';
import { startNatsServer, TestNatsServer } from '../../test/support/nats-server';
import { JetStreamBatchPublisher } from './batch-publisher';
import { ensureStreams } from './jetstream';
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
});
