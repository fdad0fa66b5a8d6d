import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'pg';
import { ensurePostgres, freePort, PrivateInstance } from '../../cli/infra';
import { createPool } from '../../libs/event-store';
import { TestDatabase } from '../support/database';
import { eventually } from '../support/processes';
import { expectEveryEventOnce, killPoints, openedCount, publishOpens, Rig, startRig, stuckReport } from './support';
import { errorMessage } from '@workgate/messaging';

const ROOT = join(__dirname, '..', '..');

/**
 * Postgres stopped with `pg_ctl stop -m immediate` (no checkpoint, in-flight transactions lost)
 * twice during ingest, on a private cluster of its own: nothing was acknowledged before its commit,
 * so after the restart every acknowledged event is recorded once and the ingest resumes by itself.
 */
describe('faults: Postgres stopped immediately during ingest', () => {
  let rig: Rig;
  let postgres: PrivateInstance | undefined;
  let url: string;
  const dataDir = mkdtempSync(join(tmpdir(), 'wg-pg-stop-'));
  chmodSync(dataDir, 0o755); // the postgres system user runs the cluster inside it
  const pgDir = join(dataDir, 'postgres');
  const N = 5000;
  const RUN = 'pgstop';

  const pgCtl = (...args: string[]) => {
    const bin = execFileSync('pg_config', ['--bindir'], { encoding: 'utf8' }).trim();
    execFileSync('runuser', ['-u', 'postgres', '--', join(bin, 'pg_ctl'), '-D', pgDir, ...args], { stdio: 'ignore' });
  };

  beforeAll(async () => {
    const port = await freePort();
    url = `postgres://root@127.0.0.1:${port}/postgres`;
    postgres = await ensurePostgres(url, dataDir, () => undefined);
    execFileSync(process.execPath, [join(ROOT, 'dist', 'apps', 'ledger', 'migrate.js')], {
      env: { ...process.env, DATABASE_URL: url, LOG_LEVEL: 'warn' },
      stdio: 'ignore',
    });
    let app: Pool | undefined;
    let views: Pool | undefined;
    let owner: Pool | undefined;
    const database: TestDatabase = {
      name: 'postgres',
      url,
      appPool: () => (app ??= createPool(url, { role: 'workgate_app', max: 2 })),
      viewsPool: () => (views ??= createPool(url, { role: 'workgate_views', max: 2 })),
      ownerPool: () => (owner ??= createPool(url, { max: 2 })),
      drop: async () => {
        await Promise.all([app, views, owner].flatMap((p) => (p ? [p.end().catch(() => undefined)] : [])));
      },
    };
    rig = await startRig({ database });
  });
  afterAll(async () => {
    await rig?.close();
    await postgres?.stop().catch(() => undefined);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('acknowledges nothing before its commit and resumes by itself', async () => {
    const publishing = publishOpens(rig.js, RUN, N, 400);
    const outages: number[] = [];
    for (const point of killPoints(2, 500, N - 1500, 5)) {
      await eventually(
        async () => (await openedCount(rig.db, RUN)).n >= point,
        120_000,
        `the ingest to reach ${point}`,
      );
      const down = Date.now();
      pgCtl('-m', 'immediate', 'stop');
      await new Promise((r) => setTimeout(r, 3000));
      pgCtl(
        '-l',
        join(pgDir, 'server.log'),
        '-o',
        `-p ${new URL(url).port} -c listen_addresses=127.0.0.1 -k ${pgDir}`,
        '-w',
        'start',
      );
      const before = (await openedCount(rig.db, RUN)).n;
      await eventually(
        async () => (await openedCount(rig.db, RUN)).n > before,
        120_000,
        'the ingest to resume by itself',
      ).catch(async (error) => {
        throw new Error(`${errorMessage(error)}\n${await stuckReport(rig)}`);
      });
      outages.push(Date.now() - down);
    }
    await publishing.done;
    const audit = await expectEveryEventOnce(rig.db, RUN, N, publishing.acked);
    console.log(
      `faults: Postgres immediate stops, ${N} events, outages ${outages.map((ms) => `${(ms / 1000).toFixed(1)} s`).join(', ')}; ${JSON.stringify(audit)}`,
    );
  });
});
