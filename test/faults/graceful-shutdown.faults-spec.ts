import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, ConsumerInfo, headers as natsHeaders, NatsConnection } from 'nats';
import { Streams } from '@workgate/contracts';
import { INTAKE_DURABLE } from '../../apps/intake/intake.processor';
import { freshDatabase, TestDatabase } from '../support/database';
import { freePort, startNatsServer, TestNatsServer } from '../support/nats-server';
import { eventually, ServiceProcess, startBuiltWorkgate } from '../support/processes';
import { checked, isNumber, shaped } from '../support/guards';

/**
 * `npm start` (node dist/cli/start.js) as its own process, sent SIGTERM while CloudEvents stream
 * into JetStream: it must exit by itself with code 0 after draining what it had taken (every
 * message it received is acked, and each acked message is in the ledger), and after a restart
 * every event JetStream acknowledged is recorded exactly once. An idle SIGTERM exits 0 too. The
 * 60 s bounds only keep a hung process from hanging the test; the measured times are printed.
 */
describe('faults: SIGTERM during load', () => {
  const N = 6000;
  const SOURCE = 'drain';
  let nats: TestNatsServer;
  let db: TestDatabase;
  let nc: NatsConnection;
  let dataDir: string;
  let env: Record<string, string>;
  let workgate: ServiceProcess | undefined;
  let publishing: Promise<void> | undefined;

  const start = () => startBuiltWorkgate(env);
  const exited = (p: ServiceProcess) =>
    new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
      if (p.child.exitCode !== null || p.child.signalCode !== null)
        return resolve({ code: p.child.exitCode, signal: p.child.signalCode });
      p.child.once('exit', (code, signal) => resolve({ code, signal }));
    });
  const opened = async () =>
    checked(
      (
        await db
          .appPool()
          .query(
            `SELECT count(*)::int AS n, count(DISTINCT stream_id)::int AS d FROM ledger_events WHERE type = 'WorkOrderOpened' AND data->>'source' = $1`,
            [SOURCE],
          )
      ).rows[0],
      shaped({ n: isNumber, d: isNumber }),
      'the count of opened work orders',
    );
  /** Resolves with the promise's value, or 'hung' after `ms` (a guard against a hang, never a pass criterion). */
  const within = async <T>(promise: Promise<T>, ms: number): Promise<T | 'hung'> => {
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([promise, new Promise<'hung'>((r) => (timer = setTimeout(() => r('hung'), ms)))]);
    } finally {
      clearTimeout(timer);
    }
  };
  const consumer = async (): Promise<ConsumerInfo> =>
    (await nc.jetstreamManager()).consumers.info(Streams.workEvents.name, INTAKE_DURABLE);

  beforeAll(async () => {
    nats = await startNatsServer();
    db = await freshDatabase();
    nc = await connect({ servers: nats.url });
    dataDir = mkdtempSync(join(tmpdir(), 'wg-drain-'));
    env = {
      DATABASE_URL: db.url,
      NATS_URL: nats.url,
      PORT: String(await freePort()),
      LOG_LEVEL: 'info',
      WORKGATE_DATA_DIR: dataDir,
    };
  });
  afterAll(async () => {
    await publishing?.catch(() => undefined);
    await workgate?.kill('SIGKILL');
    await nc?.close();
    await db?.drop();
    await nats?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('drains in-flight work on SIGTERM, exits 0, and records every acknowledged event exactly once after a restart', async () => {
    workgate = await start();
    const first = workgate;

    // Open events in bursts of 100 (faster than intake commits them, so a backlog builds and
    // batches are in flight when the signal lands); the publisher keeps going while workgate
    // drains and while it is down (JetStream keeps what it acknowledges).
    const js = nc.jetstream();
    const enc = new TextEncoder();
    const acknowledged = new Set<string>();
    const publishOne = async (i: number) => {
      const id = `evt-${i}`;
      const h = natsHeaders();
      h.set('Nats-Msg-Id', `${SOURCE}:${id}`);
      const event = {
        specversion: '1.0',
        id,
        source: SOURCE,
        type: 'workgate.workorder.open',
        subject: `REF-${i}`,
        data: { jobType: 'support-recovery', inputs: { caseId: `C-${i}`, orderId: `${i}`, orderPaid: true } },
      };
      const ack = await js.publish(`workgate.events.${SOURCE}`, enc.encode(JSON.stringify(event)), { headers: h });
      if (!ack.duplicate) acknowledged.add(`REF-${i}`);
    };
    publishing = (async () => {
      for (let i = 0; i < N; i += 100) {
        await Promise.all(Array.from({ length: Math.min(100, N - i) }, (_, k) => publishOne(i + k)));
        await new Promise((r) => setTimeout(r, 15));
      }
    })();

    await eventually(async () => (await opened()).n >= 1500, 60_000, 'intake to record 1,500 events');
    // The signal goes while work is in flight: messages taken and not yet acked.
    const before = await eventually(
      async () => {
        const c = await consumer();
        return c.num_ack_pending > 0 ? c : undefined;
      },
      30_000,
      'messages in flight',
    );
    const atSignal = (await opened()).n;
    const signalledAt = Date.now();
    const exit = exited(first);
    first.child.kill('SIGTERM');
    // A hang guard, not a speed target: the measured time is reported below.
    const outcome = await within(exit, 60_000);
    const shutdownMs = Date.now() - signalledAt;
    expect({ outcome, output: outcome === 'hung' ? first.output() : '' }).toEqual({
      outcome: { code: 0, signal: null },
      output: '',
    });
    expect(first.output()).toContain('SIGTERM: draining and stopping');

    // Drained: the consumer has nothing taken and unacked, and what it acked is exactly what the
    // ledger recorded (each message is one WorkOrderOpened; acks follow the commit).
    const after = await consumer();
    const atExit = await opened();
    // Reported before the checks, so a failing run says what it saw.
    process.stdout.write(
      `graceful shutdown: SIGTERM at ${atSignal} recorded events with ${before.num_ack_pending} messages taken and unacked; ` +
        `exit ${outcome === 'hung' ? 'hung' : outcome.code} after ${shutdownMs} ms with ${atExit.n} recorded (${atExit.n - atSignal} committed while draining); ` +
        `then ack-pending ${after.num_ack_pending}, delivered up to ${after.delivered.stream_seq}, acked up to ${after.ack_floor.stream_seq}, redelivered ${after.num_redelivered}\n` +
        (after.num_ack_pending ? first.output() : ''),
    );
    expect(after.num_ack_pending).toBe(0);
    expect(after.ack_floor.stream_seq).toBe(after.delivered.stream_seq);
    expect(atExit).toEqual({ n: after.ack_floor.stream_seq, d: after.ack_floor.stream_seq });
    expect(atExit.n).toBeLessThan(N); // the signal landed mid-stream

    // Restart: the rest of the stream (published meanwhile) is taken up; nothing twice.
    workgate = await start();
    await publishing;
    expect(acknowledged.size).toBe(N);
    const final = await eventually(
      async () => {
        const c = await opened();
        return c.n >= N ? c : undefined;
      },
      120_000,
      `all ${N} events after the restart`,
    );
    // Settle: anything still to be redelivered would show up as a second WorkOrderOpened.
    await eventually(
      async () => {
        const c = await consumer();
        return c.num_ack_pending === 0 && c.num_pending === 0;
      },
      30_000,
      'the consumer to settle',
    );
    expect(await opened()).toEqual({ n: N, d: N });
    expect(final.n).toBe(N);
    const { rows } = await db
      .appPool()
      .query(
        `SELECT data->>'externalRef' AS ref FROM ledger_events WHERE type = 'WorkOrderOpened' AND data->>'source' = $1`,
        [SOURCE],
      );
    const recorded = new Set(rows.map((r: { ref: string }) => r.ref));
    expect(recorded.size).toBe(N);
    expect([...acknowledged].filter((ref) => !recorded.has(ref))).toEqual([]);
    const problems = await db
      .appPool()
      .query(
        `SELECT (SELECT count(*)::int FROM ledger_events WHERE type = 'IntakeRejected') AS rejected, (SELECT count(*)::int FROM dead_letters) AS dead`,
      );
    expect(problems.rows[0]).toEqual({ rejected: 0, dead: 0 });

    // An idle SIGTERM exits 0 as well.
    const second = workgate;
    const idleAt = Date.now();
    const idleExit = exited(second);
    second.child.kill('SIGTERM');
    expect(await within(idleExit, 60_000)).toEqual({ code: 0, signal: null });
    process.stdout.write(`graceful shutdown: idle SIGTERM exit 0 after ${Date.now() - idleAt} ms\n`);
    workgate = undefined;
  }, 300_000);
});
