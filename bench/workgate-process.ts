import { ChildProcess, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { NatsConnection } from 'nats';
import { HealthReply, isPlainObject, ServiceName, Subjects } from '@workgate/contracts';
import { createClient, ensureDatabase, migrate, withDatabase } from '@workgate/event-store';
import { borrowNats, releaseNats, RpcClient } from '@workgate/messaging';
import { freePort, startScratchNats } from '../cli/infra';
import { residentBytes } from './cpu';
import { waitUntil } from './stats';

/** The repository: two folders up from dist/bench, one from bench/ (a test importing this from the sources). */
export const ROOT = existsSync(join(__dirname, '..', 'package.json'))
  ? join(__dirname, '..')
  : join(__dirname, '..', '..');
export const BASE_URL = process.env.DATABASE_URL ?? 'postgres://127.0.0.1:5432/postgres';

/** Drops a benchmark's scratch database (its connections too). */
export async function dropBenchDatabase(name: string): Promise<void> {
  const admin = createClient(withDatabase(BASE_URL, 'postgres'));
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}

/**
 * How workgate is deployed for a run:
 * - `one`: `npm start` (every service in one process; the ledger on its own thread);
 * - `split`: the scale-out check: ledger, policy, exceptions and approvals each in their own
 *   process, and two intake processes sharing the intake queue group and durable consumer.
 */
export type Topology = 'one' | 'split';

export interface WorkgateProcess {
  dbUrl: string;
  /** The gateway's HTTP base URL. */
  url: string;
  nc: NatsConnection;
  rpc: RpcClient;
  children: ChildProcess[];
  /** The process id of its private nats-server. */
  natsPid(): number;
  /** Resident memory of every workgate process together, in bytes. */
  rss(): number;
  stop(): Promise<void>;
}

/** The Node flags of `npm start` in the checkout `root` (its package.json), read from there so the two cannot drift apart. */
function startFlags(root = ROOT): string[] {
  const pkg: unknown = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const start = isPlainObject(pkg) && isPlainObject(pkg.scripts) ? pkg.scripts.start : undefined;
  if (typeof start !== 'string') throw new Error('package.json has no start script');
  return (/node ((?:--\S+ )*)dist\/cli\/start\.js/.exec(start)?.[1] ?? '').split(' ').filter(Boolean);
}
export const START_FLAGS = startFlags();

const SPLIT: ServiceName[] = ['ledger', 'exceptions', 'policy', 'approvals', 'intake', 'intake'];

/**
 * Workgate on a scratch nats-server and a fresh database, for benchmarks; resolves once policy has
 * loaded the shipped workflows and intake answers. BENCH_PROFILE=<dir> starts every process with
 * --cpu-prof; BENCH_ALLOCATIONS=<dir> records what each main thread allocates (bench/allocations.ts);
 * BENCH_NODE_FLAGS adds Node flags; BENCH_STDOUT=<file> appends the processes' standard
 * output to a file (V8's traces, such as --trace-gc-nvp, go there). `dist`: the build to start (this one by default).
 */
export async function startWorkgateProcess(
  name: string,
  topology: Topology = 'one',
  extraEnv: Record<string, string> = {},
  dist = join(ROOT, 'dist'),
): Promise<WorkgateProcess> {
  const nats = await startScratchNats();
  const dbName = `wg_bench_${name}_${process.pid}`;
  const dbUrl = withDatabase(BASE_URL, dbName);
  const profile = [
    ...(process.env.BENCH_PROFILE ? ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_PROFILE] : []),
    ...(process.env.BENCH_ALLOCATIONS ? ['-r', join(__dirname, 'allocations.js')] : []),
  ];
  const nodeFlags = (process.env.BENCH_NODE_FLAGS ?? '').split(' ').filter(Boolean);
  const port = await freePort();
  const env = {
    ...process.env,
    DATABASE_URL: dbUrl,
    NATS_URL: nats.url,
    PORT: String(port),
    LOG_LEVEL: 'warn',
    // The workflows and codes of the checkout whose build starts (another build's may differ).
    WORKGATE_WORKFLOWS_DIR: join(dist, '..', 'workflows'),
    WORKGATE_EXCEPTION_CODES: join(dist, '..', 'config', 'exception-codes.yaml'),
    ...extraEnv,
  };
  const stdout = process.env.BENCH_STDOUT ? openSync(process.env.BENCH_STDOUT, 'a') : 'ignore';
  const spawnNode = (script: string, flags: string[] = []) =>
    spawn(process.execPath, [...profile, ...flags, ...nodeFlags, script], {
      env,
      stdio: ['ignore', stdout, 'inherit'],
    });
  const nc = await borrowNats(nats.url, 'bench');
  const rpc = new RpcClient(nc, 10_000);
  const children: ChildProcess[] = [];
  const ready = (service: ServiceName, check: (h: HealthReply | undefined) => boolean = Boolean) =>
    waitUntil(
      `workgate (${topology}) starting: ${service} answering`,
      60_000,
      async () => {
        if (children.some((c) => c.exitCode !== null))
          throw new Error(`workgate (${topology}) did not start: a process exited`);
        return check(await rpc.request(Subjects.health(service), {}, { timeoutMs: 500 }).catch(() => undefined));
      },
      50,
    );
  const stop = async () => {
    await Promise.all(
      children.reverse().map(
        (child) =>
          new Promise<void>((r) => {
            if (child.exitCode !== null) return r();
            child.once('exit', () => r());
            child.kill('SIGTERM');
          }),
      ),
    );
    await releaseNats(nats.url);
    await nats.stop();
    await dropBenchDatabase(dbName);
  };
  try {
    if (topology === 'one') {
      // As `npm start` runs it: the old-generation heap capped, so V8 collects before the process grows.
      // As its own checkout's `npm start` runs it (another build's flags may differ).
      children.push(spawnNode(join(dist, 'cli', 'start.js'), startFlags(join(dist, '..'))));
    } else {
      // As deployed: the schema first (`npm run migrate`), then each service in start order (the
      // ledger first, the catalog before policy).
      await ensureDatabase(dbUrl);
      await migrate(dbUrl);
      for (const service of SPLIT) {
        children.push(spawnNode(join(dist, 'apps', service, 'main.js')));
        await ready(service, service === 'ledger' ? (h) => h?.details?.writer === 'active' : Boolean);
      }
    }
    await ready('policy', (h) => Number(h?.details?.jobTypes) >= 4);
    await ready('intake');
    // Intake may answer on a thread of its own before the gateway listens (WORKGATE_INTAKE_THREAD).
    if (topology === 'one')
      await waitUntil(`workgate (${topology}) starting: the gateway listening`, 60_000, () =>
        fetch(`http://127.0.0.1:${port}/health`).then(
          () => true,
          () => false,
        ),
      );
  } catch (error) {
    await stop().catch(() => undefined);
    throw error;
  }
  return {
    dbUrl,
    url: `http://127.0.0.1:${port}`,
    nc,
    rpc,
    children,
    natsPid: () => nats.pid,
    rss: () => children.reduce((sum, c) => sum + (c.pid ? residentBytes(c.pid) : 0), 0),
    stop,
  };
}

/** A principals file in `dir` with a new API key for each id (its roles as given): its path and the keys by id. */
export function writePrincipals(
  dir: string,
  roles: Record<string, string[]>,
): { path: string; keys: Record<string, string> } {
  const keys = Object.fromEntries(Object.keys(roles).map((id) => [id, randomBytes(24).toString('hex')]));
  const path = join(dir, 'principals.yaml');
  const lines = Object.entries(roles).map(
    ([id, its]) =>
      `  - { id: ${id}, roles: [${its.join(', ')}], apiKeySha256: ${createHash('sha256').update(keys[id]).digest('hex')} }`,
  );
  writeFileSync(path, `principals:\n${lines.join('\n')}\n`);
  return { path, keys };
}
