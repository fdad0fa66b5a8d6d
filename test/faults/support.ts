import { join } from 'node:path';
import { connect, headers as natsHeaders, JetStreamClient, NatsConnection } from 'nats';
import { ServiceName, Subjects } from '@workgate/contracts';
import { loadConfig } from '@workgate/config';
import { verifyLedger } from '@workgate/event-store';
import { errorMessage, RpcClient } from '@workgate/messaging';
import { seededRandom } from '../../cli/seeded-random';
import { RunningWorkgate, startWorkgate } from '../../cli/workgate';
import { INTAKE_DURABLE } from '../../apps/intake/intake.processor';
import { freshDatabase, TestDatabase } from '../support/database';
import { startNatsServer, TestNatsServer } from '../support/nats-server';
import { eventually, ServiceProcess, spawnBuilt } from '../support/processes';
import { arrayOf, checked, isNumber, isString, shaped } from '../support/guards';

/**
 * A deployment for fault tests: the ledger and intake as their own processes (so they can be
 * killed, stopped and restarted), the other services in this process, on a scratch nats-server
 * (or a given NATS URL, e.g. a cluster) and a fresh database.
 */
export interface Rig {
  nats?: TestNatsServer;
  natsUrl: string;
  db: TestDatabase;
  nc: NatsConnection;
  js: JetStreamClient;
  rpc: RpcClient;
  ledger: ServiceProcess;
  intakes: ServiceProcess[];
  rest: RunningWorkgate;
  env: Record<string, string>;
  startLedger(): Promise<void>;
  /** Starts intake instance `i` (0 by default) as its own process. */
  startIntake(i?: number): void;
  close(): Promise<void>;
}

export async function startRig(
  options: { natsUrl?: string; env?: Record<string, string>; database?: TestDatabase; intakes?: number } = {},
): Promise<Rig> {
  const nats = options.natsUrl ? undefined : await startNatsServer();
  const natsUrl = options.natsUrl ?? nats!.url;
  const db = options.database ?? (await freshDatabase());
  const env = { DATABASE_URL: db.url, NATS_URL: natsUrl, ...options.env };
  const nc = await connect({ servers: natsUrl.split(','), maxReconnectAttempts: -1, reconnectTimeWait: 200 });
  const rpc = new RpcClient(nc, 2000, false);
  const becomesWriter = (ledger: ServiceProcess) =>
    eventually(
      async () => (await rpc.request(Subjects.health('ledger'), {}, { timeoutMs: 500 })).details?.writer === 'active',
      60_000,
      `the ledger to become the writer\n${ledger.output()}`,
    );
  const ledger = spawnBuilt('apps/ledger/main.js', env);
  await becomesWriter(ledger);
  const without: ServiceName[] = ['ledger', 'intake'];
  const rest = await startWorkgate(
    loadConfig({
      ...env,
      LOG_LEVEL: 'silent',
      WORKGATE_WORKFLOWS_DIR: join(__dirname, '..', '..', 'workflows'),
      WORKGATE_LEDGER_THREAD: 'off',
    }),
    { port: 0, without },
  );
  const rig: Rig = {
    nats,
    natsUrl,
    db,
    nc,
    js: nc.jetstream(),
    rpc,
    ledger,
    intakes: [],
    rest,
    env,
    startLedger: async () => {
      rig.ledger = spawnBuilt('apps/ledger/main.js', env);
      await becomesWriter(rig.ledger);
    },
    startIntake: (i = 0) => {
      rig.intakes[i] = spawnBuilt('apps/intake/main.js', env);
    },
    close: async () => {
      for (const p of [rig.ledger, ...rig.intakes]) await p?.kill('SIGKILL');
      await rig.rest.close();
      await nc.close();
      await db.drop();
      await nats?.stop();
    },
  };
  for (let i = 0; i < (options.intakes ?? 1); i++) rig.startIntake(i);
  return rig;
}

/** The CloudEvent that opens work order `i` of a run. */
export function openEvent(run: string, i: number) {
  const id = `${run}-${i}`;
  return {
    id,
    body: JSON.stringify({
      specversion: '1.0',
      id,
      source: 'crm',
      type: 'workgate.workorder.open',
      subject: `${run}-REF-${i}`,
      data: { jobType: 'support-recovery', inputs: { caseId: `C-${i}`, orderId: `${i}`, orderPaid: true } },
    }),
  };
}

export interface Publishing {
  /** Event id -> the WORK_EVENTS sequence JetStream acknowledged it with. */
  acked: Map<string, number>;
  /** Publish attempts that failed and were retried with the same message id. */
  retries: number;
  lastError?: string;
  /** Times the publisher replaced its connection. */
  renewals?: number;
  done: Promise<void>;
}

/**
 * Publishes `count` open events to JetStream, about `perSecond` a second, each retried with the
 * same `Nats-Msg-Id` until JetStream acknowledges it (what a careful integrator does).
 */
export function publishOpens(
  js: JetStreamClient,
  run: string,
  count: number,
  perSecond = 1000,
  concurrency = 16,
  /** A new client after 20 failures in a row (a connection whose replies stopped arriving). */
  renew?: () => Promise<JetStreamClient>,
): Publishing {
  const enc = new TextEncoder();
  const p: Publishing = { acked: new Map(), retries: 0, done: Promise.resolve() };
  let next = 0;
  let failuresInARow = 0;
  let renewing: Promise<void> | undefined;
  const started = Date.now();
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= count) return;
      const due = started + (i * 1000) / perSecond;
      if (due > Date.now()) await new Promise((r) => setTimeout(r, due - Date.now()));
      const { id, body } = openEvent(run, i);
      const h = natsHeaders();
      h.set('Content-Type', 'application/cloudevents+json');
      for (;;) {
        try {
          const ack = await js.publish('workgate.events.crm', enc.encode(body), {
            msgID: `crm:${id}`,
            headers: h,
            timeout: 2000,
          });
          p.acked.set(id, ack.seq);
          failuresInARow = 0;
          break;
        } catch (error) {
          p.retries++;
          p.lastError = errorMessage(error);
          if (renew && ++failuresInARow >= 20 && !renewing) {
            p.renewals = (p.renewals ?? 0) + 1;
            renewing = renew().then((fresh) => {
              js = fresh;
              failuresInARow = 0;
              renewing = undefined;
            });
          }
          await renewing;
          await new Promise((r) => setTimeout(r, 100));
        }
      }
    }
  };
  p.done = Promise.all(Array.from({ length: concurrency }, worker)).then(() => undefined);
  return p;
}

export interface LedgerCount {
  /** WorkOrderOpened events of the run. */
  n: number;
  /** Distinct work orders among them. */
  distinct: number;
}

export async function openedCount(db: TestDatabase, run: string): Promise<LedgerCount> {
  const { rows } = await db
    .appPool()
    .query(
      `SELECT count(*)::int AS n, count(DISTINCT stream_id)::int AS distinct FROM ledger_events WHERE type = 'WorkOrderOpened' AND data->>'externalRef' LIKE $1`,
      [`${run}-REF-%`],
    );
  return checked(rows[0], shaped({ n: isNumber, distinct: isNumber }), 'the count of opened work orders');
}

/** Why an ingest may have stopped short, for a failure message: dead letters, rejections, the intake consumer's state, the services' last output. */
export async function stuckReport(rig: Pick<Rig, 'db' | 'nc' | 'intakes' | 'ledger'>): Promise<string> {
  const pool = rig.db.appPool();
  const dead = await pool.query(
    `SELECT consumer, reason, count(*)::int AS n FROM dead_letters GROUP BY 1, 2 ORDER BY n DESC LIMIT 5`,
  );
  const rejected = await pool.query(
    `SELECT (data->'reasons')::text AS reasons, count(*)::int AS n FROM ledger_events WHERE type = 'IntakeRejected' GROUP BY 1 ORDER BY n DESC LIMIT 5`,
  );
  const consumer = await (
    await rig.nc.jetstreamManager()
  ).consumers
    .info('WORK_EVENTS', INTAKE_DURABLE)
    .catch((e) => ({ error: errorMessage(e) }));
  return [
    `dead letters: ${JSON.stringify(dead.rows)}`,
    `rejections: ${JSON.stringify(rejected.rows)}`,
    `intake consumer: ${'error' in consumer ? consumer.error : JSON.stringify({ pending: consumer.num_pending, ackPending: consumer.num_ack_pending, redelivered: consumer.num_redelivered, delivered: consumer.delivered, ackFloor: consumer.ack_floor })}`,
    `--- intake\n${rig.intakes[0].output().slice(-2000)}`,
    `--- ledger\n${rig.ledger.output().slice(-2000)}`,
  ].join('\n');
}

/**
 * The end state every fault test asks for: each acknowledged event recorded exactly once (by its
 * external reference), nothing rejected, the hash chain intact.
 */
export async function auditRun(db: TestDatabase, run: string, acked: Map<string, number>) {
  const pool = db.appPool();
  const { rows } = await pool.query(
    `SELECT data->>'externalRef' AS ref, count(*)::int AS n FROM ledger_events WHERE type = 'WorkOrderOpened' AND data->>'externalRef' LIKE $1 GROUP BY 1`,
    [`${run}-REF-%`],
  );
  const recorded = new Map(
    checked(rows, arrayOf(shaped({ ref: isString, n: isNumber })), 'the opened work orders').map((r) => [r.ref, r.n]),
  );
  const missing = [...acked.keys()].filter((id) => !recorded.has(id.replace(`${run}-`, `${run}-REF-`)));
  const duplicates = [...recorded.values()].filter((n) => n > 1).length;
  const { n: rejected } = checked(
    (await pool.query(`SELECT count(*)::int AS n FROM ledger_events WHERE type = 'IntakeRejected'`)).rows[0],
    shaped({ n: isNumber }),
    'the count of rejections',
  );
  const verdict = await verifyLedger(pool);
  return {
    recorded: recorded.size,
    missing: missing.length,
    duplicates,
    rejected,
    chainOk: verdict.ok,
    checked: verdict.checked,
  };
}

/**
 * Waits until the run's `n` work orders are in the ledger, then asks for the end state every fault
 * test wants: `n` recorded, each acknowledged event once, nothing rejected, the chain intact.
 */
export async function expectEveryEventOnce(
  db: TestDatabase,
  run: string,
  n: number,
  acked: Map<string, number>,
  context: () => string | Promise<string> = () => '',
) {
  const final = await eventually(
    async () => {
      const c = await openedCount(db, run);
      return c.n >= n ? c : undefined;
    },
    180_000,
    `all ${n} work orders`,
  ).catch(async (error) => {
    throw new Error(`${errorMessage(error)} (${(await openedCount(db, run)).n} recorded)\n${await context()}`);
  });
  expect(final).toEqual({ n, distinct: n });
  const audit = await auditRun(db, run, acked);
  expect(audit).toMatchObject({ recorded: n, missing: 0, duplicates: 0, rejected: 0, chainOk: true });
  return audit;
}

/** A seeded list of `count` kill points between `low` and `high`, ascending. */
export function killPoints(count: number, low: number, high: number, seed: number): number[] {
  const next = seededRandom(seed);
  return Array.from({ length: count }, () => Math.floor(low + next() * (high - low))).sort((a, b) => a - b);
}
