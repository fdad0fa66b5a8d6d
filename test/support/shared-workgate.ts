import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, NatsConnection } from 'nats';
// The client alone, not the messaging library's index: this file must not load the services.
import { RpcClient } from '../../libs/messaging/rpc-client';
import { cloneTemplate, databaseNamed, dropDatabase, TestDatabase } from './database';
import { freePort } from './nats-server';
import { Guard, isNumber, isString, messageOf, optional, parsed, shaped } from './guards';
import { principalsFile } from './principals';
import { alive, logTail, spawnDetached, writeAtomically } from './detached';
import { checkOneWriterPerStream, exemptionsKeptIn, keepExemption } from './stream-writers';

/**
 * One workgate per jest worker, shared by the test files that do not need one of their own
 * (DEVELOPERS.md, "Tests"): the built `dist/cli/start.js` as a process of its own, on a scratch
 * nats-server and a database cloned from the run's template. The first file of a worker that
 * asks starts it; the next files of that worker (they run one after another) find it through a
 * small record in the temp directory and reuse it. The jest global teardown stops every one of
 * the run (stopSharedWorkgates). This file loads no service code: a file that shares skips the
 * ~2 s of requiring the whole app.
 *
 * What stays between files: everything they wrote (work orders, approvals, exceptions, views,
 * workflow versions). The principals are each file's own: sharedTestWorkgate() swaps them in.
 */
export interface SharedTestWorkgate {
  url: string;
  /** A client connection of the file's own (closed by close()). */
  nc: NatsConnection;
  /** Requests over NATS, as another process would send them. */
  rpc: RpcClient;
  /** The shared database: pools of the file's own (closed by close()); never dropped by a file. */
  db: Omit<TestDatabase, 'drop'>;
  /**
   * Leaves a stream the file writes around the services on purpose out of the one-writer check the
   * run's teardown makes when it stops the shared workgate (docs/ledger.md, Table: metadata.producer), saying why.
   */
  exemptWriters(stream: string | RegExp, why: string): void;
  /** The shared workgate's WORKGATE_DATA_DIR (its signing key, its kept checkpoints): read it, never write it. */
  dataDir: string;
  /** Closes what this file opened; the shared workgate keeps running for the next file. */
  close(): Promise<void>;
}

/** What a worker's record says about its shared workgate. */
interface SharedRecord {
  workgatePid: number;
  natsPid: number;
  url: string;
  natsUrl: string;
  database: string;
  principalsPath: string;
  /** The temp directory holding the data dir, the NATS store, the principals and the logs. */
  dir: string;
  /** A key of the principals last swapped in (to see the next swap take effect when a file has none). */
  lastKey?: string;
}

/** A record file as `startShared` writes it (another worker's, or one a killed run left). */
const isSharedRecord: Guard<SharedRecord> = shaped({
  workgatePid: isNumber,
  natsPid: isNumber,
  url: isString,
  natsUrl: isString,
  database: isString,
  principalsPath: isString,
  dir: isString,
  lastKey: optional(isString),
});

const ROOT = join(__dirname, '..', '..');
const RECORD_PREFIX = 'wg-shared-';

function template(): string {
  const name = process.env.WORKGATE_TEST_TEMPLATE;
  if (!name) throw new Error('the jest global setup did not prepare a template database');
  return name;
}

const recordPath = (tpl: string, worker: string) => join(tmpdir(), `${RECORD_PREFIX}${tpl}-${worker}.json`);

async function poll<T>(probe: () => Promise<T | undefined>, timeoutMs: number, what: string): Promise<T> {
  const until = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < until) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${messageOf(last)}` : ''}`);
}

async function startShared(path: string, worker: string): Promise<SharedRecord> {
  const dir = join(tmpdir(), `wg-shared-${randomBytes(6).toString('hex')}`);
  mkdirSync(join(dir, 'data'), { recursive: true });
  const principalsPath = join(dir, 'principals.yaml');
  writeFileSync(principalsPath, 'principals: []\n');
  const database = `wg_s_${process.pid}_${worker}_${randomBytes(4).toString('hex')}`;
  const natsPort = await freePort();
  const natsLog = join(dir, 'nats.log');
  const natsPid = spawnDetached(
    'nats-server',
    ['-a', '127.0.0.1', '-p', String(natsPort), '-js', '-sd', join(dir, 'nats')],
    natsLog,
  );
  const natsUrl = `nats://127.0.0.1:${natsPort}`;
  // Recorded at once, so the teardown stops what started even when the rest fails.
  const record: SharedRecord = { workgatePid: 0, natsPid, url: '', natsUrl, database, principalsPath, dir };
  writeAtomically(path, JSON.stringify(record));
  await cloneTemplate(database);
  await poll(
    async () => {
      if (!alive(natsPid)) throw new Error(`nats-server exited:\n${logTail(natsLog)}`);
      const nc = await connect({ servers: natsUrl, timeout: 500 });
      await nc.close();
      return true;
    },
    10_000,
    'the shared nats-server',
  );
  const port = await freePort();
  const log = join(dir, 'workgate.log');
  record.workgatePid = spawnDetached(process.execPath, [join(ROOT, 'dist', 'cli', 'start.js')], log, {
    ...process.env,
    DATABASE_URL: databaseNamed(database).url,
    NATS_URL: natsUrl,
    HOST: '127.0.0.1',
    PORT: String(port),
    WORKGATE_PRINCIPALS: principalsPath,
    WORKGATE_DATA_DIR: join(dir, 'data'),
    WORKGATE_WORKFLOWS_DIR: join(ROOT, 'workflows'),
    WORKGATE_PATTERNS_DIR: join(ROOT, 'patterns'),
    // Files reuse principal names (`helpdesk`, `agent`) one after another within a minute: one file's
    // requests must not spend the next one's budget. The rate limit's own tests start their own workgate.
    WORKGATE_RATE_LIMIT_PER_MINUTE: '100000',
    LOG_LEVEL: 'warn',
  });
  record.url = `http://127.0.0.1:${port}`;
  writeAtomically(path, JSON.stringify(record));
  await poll(
    async () => {
      if (!alive(record.workgatePid)) throw new Error(`the shared workgate exited:\n${logTail(log)}`);
      const res = await fetch(`${record.url}/health`);
      return res.status === 200 ? true : undefined;
    },
    60_000,
    `the shared workgate to answer /health (log: ${log})`,
  );
  return record;
}

async function currentShared(): Promise<{ path: string; record: SharedRecord }> {
  const worker = process.env.JEST_WORKER_ID ?? '1';
  const path = recordPath(template(), worker);
  if (existsSync(path)) {
    const record = parsed(readFileSync(path, 'utf8'), isSharedRecord, path);
    if (record.workgatePid && alive(record.workgatePid) && alive(record.natsPid)) return { path, record };
    // A worker that died half way: stop what it left and start again.
    await stopShared(record);
  }
  return { path, record: await startShared(path, worker) };
}

/**
 * The worker's shared workgate with exactly the file's principals in force (a file that
 * writePrincipals() made; none when not given), started if this is the worker's first file that asks.
 */
export async function sharedTestWorkgate(
  options: { principals?: { path: string; keys: Record<string, string> } } = {},
): Promise<SharedTestWorkgate> {
  const { path, record } = await currentShared();
  const keys = options.principals?.keys ?? {};
  writeAtomically(
    record.principalsPath,
    options.principals ? readFileSync(options.principals.path, 'utf8') : principalsFile({}).text,
  );
  // The gateway checks the file twice a second: wait until the swap is in force (the file's first
  // key is let in, or with no principals, the last file's key is refused).
  const first = Object.values(keys)[0];
  const probeKey = first ?? record.lastKey;
  if (probeKey) {
    await poll(
      async () => {
        const res = await fetch(`${record.url}/v1/me`, { headers: { Authorization: `Bearer ${probeKey}` } });
        await res.arrayBuffer();
        const inForce = res.status !== 401;
        return (first ? inForce : !inForce) ? true : undefined;
      },
      30_000,
      'the principals to be in force',
    );
  }
  writeAtomically(path, JSON.stringify({ ...record, lastKey: first }));
  const nc = await connect({ servers: record.natsUrl });
  const db = databaseNamed(record.database);
  return {
    url: record.url,
    nc,
    rpc: new RpcClient(nc, 5000, false),
    db,
    exemptWriters: (stream, why) => keepExemption(record.dir, { stream, why }),
    dataDir: join(record.dir, 'data'),
    close: async () => {
      await nc.close();
      await db.closePools();
    },
  };
}

async function stopPid(pid: number): Promise<void> {
  if (!pid || !alive(pid)) return;
  process.kill(pid, 'SIGTERM');
  const until = Date.now() + 10_000;
  while (alive(pid) && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
  // Its process group: whatever it spawned (MCP servers) goes with it.
  if (alive(pid)) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      process.kill(pid, 'SIGKILL');
    }
  }
}

/**
 * Stops a shared workgate and drops its database; with `check` (the run's teardown), first checks
 * that every stream of its ledger had one named writer, and throws after the cleanup when not.
 */
async function stopShared(record: SharedRecord, check = false): Promise<void> {
  await stopPid(record.workgatePid);
  await stopPid(record.natsPid);
  const checked = check
    ? await checkOneWriterPerStream(record.database, exemptionsKeptIn(record.dir)).then(
        () => undefined,
        (error: Error) => error,
      )
    : undefined;
  await dropDatabase(record.database).catch(() => undefined);
  rmSync(record.dir, { recursive: true, force: true });
  if (checked) throw checked;
}

/** Stops every shared workgate of the run of `tpl` (its template database): for the global teardown. */
export async function stopSharedWorkgates(tpl: string): Promise<void> {
  const prefix = `${RECORD_PREFIX}${tpl}-`;
  const records = readdirSync(tmpdir()).filter((f) => f.startsWith(prefix) && f.endsWith('.json'));
  const stopped = await Promise.allSettled(
    records.map(async (file) => {
      const path = join(tmpdir(), file);
      try {
        await stopShared(parsed(readFileSync(path, 'utf8'), isSharedRecord, path), true);
      } finally {
        rmSync(path, { force: true });
      }
    }),
  );
  const failed = stopped.flatMap((s) => (s.status === 'rejected' ? [messageOf(s.reason)] : []));
  if (failed.length > 0) throw new Error(failed.join('\n'));
}
