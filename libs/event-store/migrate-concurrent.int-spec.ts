import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { TEST_PG_URL } from '../../test/support/env';
import { MIGRATIONS } from './migrations';
import { migrate } from './database';
import { withDatabase } from './pg';

/** Databases of this file, dropped at the end. */
const created: string[] = [];

async function admin<T>(work: (c: Client) => Promise<T>): Promise<T> {
  const c = new Client({ connectionString: TEST_PG_URL });
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
  created.push(name);
  return withDatabase(TEST_PG_URL, name);
}

/**
 * Several processes starting at once on one Postgres cluster, each on its own fresh database:
 * their migrations create and alter the same cluster-wide roles at the same moment, which
 * Postgres answers with `tuple concurrently updated` unless the starters take turns across the
 * cluster. The migrations' names are the ones the code declares, in its order.
 */
describe('migrate: concurrent starters on one cluster', () => {
  afterAll(() =>
    admin(async (c) => {
      for (const name of created) await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    }),
  );

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
    const roles = await admin(
      async (c) =>
        (
          await c.query<{ rolname: string; rolcanlogin: boolean; rolsuper: boolean }>(
            "SELECT rolname, rolcanlogin, rolsuper FROM pg_roles WHERE rolname LIKE 'workgate\\_%' ORDER BY rolname",
          )
        ).rows,
    );
    expect(roles).toEqual(
      ['workgate_app', 'workgate_ledger', 'workgate_views'].map((rolname) => ({
        rolname,
        rolcanlogin: true,
        rolsuper: false,
      })),
    );
  });
});
