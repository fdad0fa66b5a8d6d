import { randomUUID } from 'node:crypto';
import { connect, NatsConnection } from 'nats';
import { AppendResult, LedgerHeaders, LedgerWriterActiveNotice, Notices, Streams, Subjects } from '@workgate/contracts';
import { verifyLedger } from '@workgate/event-store';
import { NoticeBus, RpcClient } from '@workgate/messaging';
import { freshDatabase, TestDatabase } from '../support/database';
import { startNatsServer, TestNatsServer } from '../support/nats-server';
import { eventually, ServiceProcess, spawnBuilt } from '../support/processes';
import { arrayOf, checked, isNumber, isString, shaped } from '../support/guards';

/**
 * The ledger as its own process, killed with SIGKILL while 32 writers append over NATS: after a
 * restart every acknowledged append is in Postgres, the chain verifies, and the LEDGER stream holds
 * every event exactly once, in position order. Each start as the writer is announced
 * (workgate.notice.ledger-writer-active) at the position it took over.
 */
describe('ledger process: SIGKILL during appends', () => {
  let nats: TestNatsServer;
  let db: TestDatabase;
  let nc: NatsConnection;
  let rpc: RpcClient;
  let ledger: ServiceProcess;
  const announced: LedgerWriterActiveNotice[] = [];

  const startLedger = async () => {
    const before = announced.length;
    ledger = spawnBuilt('apps/ledger/main.js', { DATABASE_URL: db.url, NATS_URL: nats.url });
    await eventually(
      async () => {
        const h = await rpc.request(Subjects.health('ledger'), {}, { timeoutMs: 500 });
        return h.details?.writer === 'active';
      },
      20_000,
      `the ledger to become the writer\n${ledger.output()}`,
    );
    await eventually(async () => announced.length > before, 20_000, 'the new writer to announce itself');
  };

  beforeAll(async () => {
    nats = await startNatsServer();
    db = await freshDatabase();
    nc = await connect({ servers: nats.url });
    rpc = new RpcClient(nc, 2000);
    new NoticeBus(nc).subscribe(Notices.ledgerWriterActive, (notice) => announced.push(notice));
    await startLedger();
  });

  afterAll(async () => {
    await ledger?.kill();
    await nc?.close();
    await db?.drop();
    await nats?.stop();
  });

  it('keeps every acknowledged append and relays every event once', async () => {
    const acked = new Map<string, AppendResult>();
    let stop = false;
    const writer = async (w: number) => {
      let n = 0;
      while (!stop) {
        const eventId = randomUUID();
        try {
          const r = await rpc.request(Subjects.ledger.append, {
            streamId: `crash-${w}-${n}`,
            expectedVersion: 'no_stream',
            events: [{ eventId, type: 'Appended', data: { w, n } }],
          });
          acked.set(eventId, r);
        } catch {
          // The ledger is down (the append may or may not have committed): try a new one shortly.
          await new Promise((r) => setTimeout(r, 20));
        }
        n++;
      }
    };
    const writers = Array.from({ length: 32 }, (_, w) => writer(w));
    try {
      for (let kill = 0; kill < 3; kill++) {
        const before = acked.size;
        await eventually(async () => acked.size >= before + 300, 20_000, 'appends to flow');
        await ledger.kill('SIGKILL');
        await startLedger();
      }
      await eventually(async () => acked.size >= 1500, 20_000, 'appends after the last restart');
    } finally {
      stop = true;
      await Promise.all(writers);
    }

    const pool = db.appPool();
    const { rows } = await pool.query('SELECT event_id::text AS id, position FROM ledger_events');
    const stored = new Map(
      checked(rows, arrayOf(shaped({ id: isString, position: isNumber })), 'the ledger rows').map((r) => [
        r.id,
        r.position,
      ]),
    );
    const missing = [...acked.keys()].filter((id) => !stored.has(id));
    expect(missing).toEqual([]);
    for (const [id, r] of acked) expect(stored.get(id)).toBe(r.positions[0]);

    // One announcement per start as the writer, each at the head it took over (never behind the one before).
    const at = announced.map((a) => a.position);
    expect(at).toEqual([...at].sort((a, b) => a - b));
    expect({ starts: at.length, first: at[0], beyondEnd: at.filter((p) => p > rows.length) }).toEqual({
      starts: 4,
      first: 0,
      beyondEnd: [],
    });

    const verdict = await verifyLedger(pool);
    expect(verdict.ok).toBe(true);
    expect(verdict.checked).toBe(rows.length);

    // The relay catches up to the head; the stream holds positions 1..N, once each, in order.
    const jsm = await nc.jetstreamManager();
    await eventually(
      async () => (await jsm.streams.info(Streams.ledger.name)).state.messages === rows.length,
      20_000,
      'the relay',
    );
    const consumer = await nc.jetstream().consumers.get(Streams.ledger.name);
    const positions: number[] = [];
    while (positions.length < rows.length) {
      const batch = await consumer.fetch({ max_messages: 1000, expires: 2000 });
      let got = 0;
      for await (const m of batch) {
        positions.push(Number(m.headers?.get(LedgerHeaders.position)));
        got++;
      }
      if (got === 0) break;
    }
    expect(positions).toEqual(Array.from({ length: rows.length }, (_, i) => i + 1));
  });
});
