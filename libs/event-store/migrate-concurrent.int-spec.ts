import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { ensurePostgres, freePort, PrivateInstance } from '../../cli/infra';
import { MIGRATIONS } from './migrations';
import { migrate } from './database';
import { withDatabase } from './pg';

/**
 * A private Postgres cluster of this file's own: the run's shared cluster already has the service
 * roles (the global setup made them), so only a new cluster lets the starters race to create them.
 */
let cluster: PrivateInstance | undefined;
let clusterUrl = '';
const dataDir = mkdtempSync(join(tmpdir(), 'wg-migrate-'));
chmodSync(dataDir, 0o755); // the postgres system user runs the cluster inside it

async function admin<T>(work: (c: Client) => Promise<T>): Promise<T> {
  const c = new Client({ connectionString: clusterUrl });
  await c.connect();
  try {
    return await work(c);
  } finally {
    await c.end();
  }
}

/** An empty database (not the run's migrated template): every migration still to run. */
async function emptyDatabase(): Promise<string> {
  const name = `wg_t_${process.pid}_m_${randomBytes(4).toString('hex')}`;
  await admin((c) => c.query(`CREATE DATABASE ${name}`));
  return withDatabase(clusterUrl, name);
}

/**
 * Several processes starting at once on one Postgres cluster, each on its own fresh database:
 * their migrations create and alter the same cluster-wide roles at the same moment, which
 * Postgres answers with `tuple concurrently updated` unless the starters take turns across the
 * cluster. The migrations' names are the ones the code declares, in its order.
 */
describe('migrate: concurrent starters on one cluster', () => {
  const serviceRoles = () =>
    admin(
      async (c) =>
        (
          await c.query<{ rolname: string; rolcanlogin: boolean; rolsuper: boolean }>(
            "SELECT rolname, rolcanlogin, rolsuper FROM pg_roles WHERE rolname LIKE 'workgate\\_%' ORDER BY rolname",
          )
        ).rows,
    );

  beforeAll(async () => {
    clusterUrl = `postgres://root@127.0.0.1:${await freePort()}/postgres`;
    cluster = await ensurePostgres(clusterUrl, dataDir, () => undefined);
    // The race is real only while no role exists yet.
    expect(await serviceRoles()).toEqual([]);
  }, 120_000);
  afterAll(async () => {
    await cluster?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('migrates 4 fresh databases at the same instant, 2 rounds, every one complete', async () => {
    const expected = MIGRATIONS.map((m) => m.name);
    for (let round = 0; round < 2; round++) {
      const urls = await Promise.all(Array.from({ length: 4 }, () => emptyDatabase()));
      const results = await Promise.allSettled(urls.map((url) => migrate(url)));
      const failures = results.flatMap((r) =>
        r.status === 'rejected'
          ? [`round ${round}: ${r.reason instanceof Error ? r.reason.message : String(r.reason)}`]
          : [],
      );
      expect(failures).toEqual([]);
      for (const r of results) expect(r.status === 'fulfilled' ? r.value : undefined).toEqual(expected);
    }
  });

  it('leaves the service roles as the migration sets them: login, no superuser', async () => {
    expect(await serviceRoles()).toEqual(
      ['workgate_app', 'workgate_ledger', 'workgate_views'].map((rolname) => ({
        rolname,
        rolcanlogin: true,
        rolsuper: false,
      })),
    );
  });
});
