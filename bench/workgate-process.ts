import { ChildProcess, execSync, spawn } from 'node:child_process';
import { join } from 'node:path';
import { NatsConnection } from 'nats';
import { HealthReply, Subjects } from '@workgate/contracts';
import { createClient, withDatabase } from '@workgate/event-store';
import { borrowNats, releaseNats, RpcClient } from '@workgate/messaging';
import { freePort, startScratchNats } from '../cli/infra';

export const ROOT = join(__dirname, '..', '..');
export const BASE_URL = process.env.DATABASE_URL ?? 'postgres://127.0.0.1:5432/postgres';

export interface WorkgateProcess {
  dbUrl: string;
  nc: NatsConnection;
  rpc: RpcClient;
  child: ChildProcess;
  /** Resident memory of the workgate process, in bytes. */
  rss(): number;
  stop(): Promise<void>;
}

/**
 * `npm start` as its own process (`node dist/cli/start.js`) on a scratch nats-server and a
 * fresh database, for benchmarks; resolves once policy has loaded the shipped workflows and
 * intake answers. BENCH_PROFILE=<dir> starts it with --cpu-prof.
 */
export async function startWorkgateProcess(name: string): Promise<WorkgateProcess> {
  const nats = await startScratchNats();
  const dbName = `wg_bench_${name}_${process.pid}`;
  const dbUrl = withDatabase(BASE_URL, dbName);
  const profile = process.env.BENCH_PROFILE ? ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_PROFILE] : [];
  const child = spawn(process.execPath, [...profile, join(__dirname, '..', 'cli', 'start.js')], {
    env: {
      ...process.env,
      DATABASE_URL: dbUrl,
      NATS_URL: nats.url,
      PORT: String(await freePort()),
      LOG_LEVEL: 'warn',
      WORKGATE_WORKFLOWS_DIR: join(ROOT, 'workflows'),
      WORKGATE_EXCEPTION_CODES: join(ROOT, 'config', 'exception-codes.yaml'),
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const nc = await borrowNats(nats.url, 'bench');
  const rpc = new RpcClient(nc, 10_000);
  for (let i = 0; ; i++) {
    const policy = await rpc.request<HealthReply>(Subjects.health('policy'), {}, { timeoutMs: 500 }).catch(() => undefined);
    const intake = await rpc.request<HealthReply>(Subjects.health('intake'), {}, { timeoutMs: 500 }).catch(() => undefined);
    if ((policy?.details?.jobTypes as number) >= 4 && intake) break;
    if (i > 400) throw new Error('workgate did not start');
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    dbUrl,
    nc,
    rpc,
    child,
    rss: () => Number(execSync(`ps -o rss= -p ${child.pid}`).toString().trim()) * 1024,
    stop: async () => {
      await new Promise<void>((r) => {
        child.once('exit', () => r());
        child.kill('SIGTERM');
      });
      await releaseNats(nats.url);
      await nats.stop();
      const admin = createClient(withDatabase(BASE_URL, 'postgres'));
      await admin.connect();
      await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
      await admin.end();
    },
  };
}
