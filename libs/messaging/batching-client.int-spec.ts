import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Controller, DynamicModule, INestMicroservice, Module } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { connect, NatsConnection } from 'nats';
import { BatchReply, BatchRequest, rpc, WorkgateError } from '@workgate/contracts';
import { loadConfig } from '@workgate/config';
import { startNatsServer, TestNatsServer } from '../../test/support/nats-server';
import { BatchingRpcClient, serveBatch } from './batching-client';
import { RpcClient } from './rpc-client';
import { ServiceCoreModule, startMicroservice } from './service';

/** The server's payload limit in this file: small, so a few kilobytes of items need several requests. */
const MAX_PAYLOAD = 8192;
const batchSubject = rpc<BatchRequest<{ text: string }>, BatchReply<number>>('workgate.policy.lengths');
const bigAnswer = rpc<{ bytes: number }, string>('workgate.policy.big-answer');
/** The encoded size of every batch request the service received. */
const received: number[] = [];

@Controller()
class LengthsController {
  @MessagePattern(batchSubject.subject)
  lengths(@Payload() body: BatchRequest<{ text: string }>) {
    received.push(Buffer.byteLength(JSON.stringify(body)));
    return serveBatch(body, (item) => item.text.length);
  }
  @MessagePattern(bigAnswer.subject)
  big(@Payload() body: { bytes: number }) {
    return 'x'.repeat(body.bytes);
  }
}

@Module({})
class LengthsModule {
  static register(ctx: Parameters<typeof ServiceCoreModule.forService>[0]): DynamicModule {
    return { module: LengthsModule, imports: [ServiceCoreModule.forService(ctx)], controllers: [LengthsController] };
  }
}

describe('requests near the NATS payload limit', () => {
  let nats: TestNatsServer;
  let nc: NatsConnection;
  let app: INestMicroservice;
  let overNats: RpcClient;

  beforeAll(async () => {
    const conf = join(mkdtempSync(join(tmpdir(), 'wg-nats-conf-')), 'nats.conf');
    writeFileSync(conf, `max_payload: ${MAX_PAYLOAD}\n`);
    nats = await startNatsServer(['-c', conf]);
    nc = await connect({ servers: nats.url });
    app = await startMicroservice((ctx) => LengthsModule.register(ctx), {
      service: 'policy',
      instance: 'a',
      config: loadConfig({ NATS_URL: nats.url, LOG_LEVEL: 'silent' }),
      nc,
    });
    overNats = new RpcClient(nc, 5000, false);
  });
  afterAll(async () => {
    await app?.close();
    await nc?.close();
    await nats?.stop();
  });

  it('splits a burst into requests that each fit, and answers every caller', async () => {
    expect(overNats.payloadLimit(batchSubject.subject)).toBe(MAX_PAYLOAD);
    received.length = 0;
    const client = new BatchingRpcClient(overNats, batchSubject);
    const texts = Array.from({ length: 60 }, (_, i) => 'é'.repeat(300 + i)); // 600+ bytes each encoded: ~40 KB in all
    const answers = await Promise.all(texts.map((text) => client.call({ text })));
    expect(answers).toEqual(texts.map((t) => t.length));
    expect(received.length).toBeGreaterThanOrEqual(5);
    expect(Math.max(...received)).toBeLessThanOrEqual(MAX_PAYLOAD);
  });

  it('refuses an item that alone exceeds the limit with payload_too_large, and still answers the others', async () => {
    const client = new BatchingRpcClient(overNats, batchSubject);
    const [small, huge, after] = await Promise.allSettled([
      client.call({ text: 'a' }),
      client.call({ text: 'x'.repeat(MAX_PAYLOAD) }),
      client.call({ text: 'bc' }),
    ]);
    expect(small).toEqual({ status: 'fulfilled', value: 1 });
    expect(after).toEqual({ status: 'fulfilled', value: 2 });
    expect(huge).toMatchObject({ status: 'rejected', reason: { code: 'payload_too_large' } });
    expect(huge.status === 'rejected' && huge.reason).toBeInstanceOf(WorkgateError);
  });

  it('answers payload_too_large, not a time-out, to a single request or an answer over the limit', async () => {
    await expect(overNats.request(batchSubject, { items: [{ text: 'x'.repeat(MAX_PAYLOAD) }] })).rejects.toMatchObject({
      code: 'payload_too_large',
    });
    await expect(overNats.request(bigAnswer, { bytes: 100 })).resolves.toBe('x'.repeat(100));
    await expect(overNats.request(bigAnswer, { bytes: MAX_PAYLOAD * 2 }, { timeoutMs: 2000 })).rejects.toMatchObject({
      code: 'payload_too_large',
      message: expect.stringContaining('ask for less'),
    });
  });
});
