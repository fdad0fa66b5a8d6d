import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, NatsConnection } from 'nats';
import { Subjects } from '@workgate/contracts';
import { loadConfig } from '@workgate/config';
import { RpcClient } from '@workgate/messaging';
import { INTAKE_DURABLE } from '../../apps/intake/intake.processor';
import { startScratchNats, ScratchNatsServer } from '../../cli/infra';
import { RunningWorkgate, startWorkgate } from '../../cli/workgate';
import { freshDatabase, TestDatabase } from '../support/database';
import { eventually } from '../support/processes';
import { openedCount, openEvent } from './support';

/**
 * Poison messages mixed into a stream of good ones on WORK_EVENTS: bad schema, malformed JSON,
 * invalid UTF-8, an unknown type, and bodies over workgate's 1 MiB limit (the nats-server here
 * allows 8 MB payloads, so they really arrive). Each is kept as a rejection with its reasons;
 * every good event after it is still recorded (no head-of-line blocking).
 */
describe('faults: poison messages on WORK_EVENTS', () => {
  let nats: ScratchNatsServer;
  let db: TestDatabase;
  let workgate: RunningWorkgate;
  let nc: NatsConnection;
  const dir = mkdtempSync(join(tmpdir(), 'wg-poison-'));
  const RUN = 'poison';
  const GOOD = 200;

  beforeAll(async () => {
    const conf = join(dir, 'nats.conf');
    writeFileSync(conf, 'max_payload: 8MB\n');
    nats = await startScratchNats(['-c', conf]);
    db = await freshDatabase();
    workgate = await startWorkgate(
      loadConfig({
        DATABASE_URL: db.url,
        NATS_URL: nats.url,
        LOG_LEVEL: 'silent',
        WORKGATE_WORKFLOWS_DIR: join(__dirname, '..', '..', 'workflows'),
        WORKGATE_LEDGER_THREAD: 'off',
      }),
      { port: 0 },
    );
    nc = await connect({ servers: nats.url });
  });
  afterAll(async () => {
    await nc?.close();
    await workgate?.close();
    await db?.drop();
    await nats?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps each poison message as a rejection and lets every later event through', async () => {
    const enc = new TextEncoder();
    const ce = (type: string, data: unknown, id = `p-${Math.random()}`) =>
      enc.encode(JSON.stringify({ specversion: '1.0', id, source: 'crm', type, subject: 'POISON', data }));
    const poison: Array<[string, Uint8Array, RegExp]> = [
      ['bad schema', ce('workgate.workorder.open', { jobType: 42, inputs: 'none' }), /jobType/],
      ['malformed JSON', enc.encode('{"specversion":'), /not valid JSON/],
      ['invalid UTF-8', new Uint8Array([0x7b, 0xc3, 0x28, 0x7d]), /UTF-8/],
      ['unknown type', ce('workgate.nothing.here', {}), /unknown CloudEvent type/],
      [
        'oversized structured',
        ce('workgate.workorder.open', { jobType: 'support-recovery', inputs: { blob: 'x'.repeat(2 * 1024 * 1024) } }),
        /larger than 1048576 bytes/,
      ],
      ['oversized junk', new Uint8Array(3 * 1024 * 1024).fill(0x41), /larger than 1048576 bytes/],
    ];
    const js = nc.jetstream();
    for (let i = 0; i < GOOD; i++) {
      // A poison message every 30 good ones: whatever it is, the ones after it must flow.
      if (i % 30 === 15) await js.publish('workgate.events.crm', poison[Math.floor(i / 30) % poison.length][1]);
      await js.publish('workgate.events.crm', enc.encode(openEvent(RUN, i).body), { msgID: `crm:${RUN}-${i}` });
    }
    for (const [, body] of poison) await js.publish('workgate.events.crm', body);

    const final = await eventually(
      async () => {
        const c = await openedCount(db, RUN);
        return c.n >= GOOD ? c : undefined;
      },
      60_000,
      `all ${GOOD} good events`,
    );
    expect(final).toEqual({ n: GOOD, distinct: GOOD });

    const rpc = new RpcClient(nc, 5000, false);
    const { rejections } = await eventually(
      async () => {
        const r = await rpc.request(Subjects.intake.rejections, { limit: 100 });
        return r.rejections.length >= poison.length + Math.ceil(GOOD / 30) - 1 ? r : undefined;
      },
      30_000,
      'the rejections',
    );
    for (const [what, , reason] of poison) {
      expect({ what, found: rejections.some((r) => r.reasons.some((x) => reason.test(x))) }).toEqual({
        what,
        found: true,
      });
    }
    // Oversized bodies are kept (truncated) with their real size, not dropped.
    expect(
      rejections
        .filter((r) => r.truncated)
        .map((r) => r.rawBytes)
        .sort(),
    ).toEqual(expect.arrayContaining([3 * 1024 * 1024]));
    // Nothing is left unacknowledged: each was decided (the last ack may trail its commit a little).
    const jsm = await nc.jetstreamManager();
    await eventually(
      async () => {
        const info = await jsm.consumers.info('WORK_EVENTS', INTAKE_DURABLE);
        return info.num_pending + info.num_ack_pending === 0;
      },
      10_000,
      'every message acknowledged',
    );
  });
});
