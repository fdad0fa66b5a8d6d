import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { withDatabase } from '../../libs/event-store';
import { TEST_PG_URL } from '../support/env';
import { freePort, startNatsServer, TestNatsServer } from '../support/nats-server';
import { eventually, spawnBuilt } from '../support/processes';
import { errorMessage } from '@workgate/messaging';

const ROUNDS = 10;

async function admin(sql: string): Promise<void> {
  const c = new Client({ connectionString: TEST_PG_URL });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

/**
 * Two deployments starting at the same instant on one Postgres cluster (a rolling deploy, two
 * replicas), each with a database that does not exist yet and its own NATS: both create their
 * database, migrate it (the service roles are the cluster's) and come up healthy, every round.
 */
describe('faults: two workgate processes starting at once on one Postgres cluster', () => {
  const databases: string[] = [];
  let nats: TestNatsServer[] = [];
  const dirs: string[] = [];

  afterAll(async () => {
    for (const n of nats) await n.stop();
    for (const name of databases) await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it(
    `comes up healthy ${2 * ROUNDS} times out of ${2 * ROUNDS}`,
    async () => {
      const outcomes: string[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        // Each deployment its own NATS, fresh each round (a fresh database starts a fresh ledger).
        nats = await Promise.all([startNatsServer(), startNatsServer()]);
        const starters = await Promise.all(
          nats.map(async (n, i) => {
            const name = `wg_t_${process.pid}_start_${round}_${i}_${randomBytes(3).toString('hex')}`;
            databases.push(name);
            const dataDir = mkdtempSync(join(tmpdir(), 'wg-start-'));
            dirs.push(dataDir);
            const port = await freePort();
            const env = {
              DATABASE_URL: withDatabase(TEST_PG_URL, name),
              NATS_URL: n.url,
              PORT: String(port),
              WORKGATE_DATA_DIR: dataDir,
              WORKGATE_SIGNING_KEY: '',
              WORKGATE_LEDGER_THREAD: 'off',
            };
            return { env, port };
          }),
        );
        // Both at the same instant.
        const running = starters.map(({ env }) => spawnBuilt('cli/start.js', { ...env, LOG_LEVEL: 'info' }));
        const started = await Promise.allSettled(
          running.map(async (p, i) => {
            const until = Date.now() + 180_000;
            while (!/"message":"ready/.test(p.output())) {
              if (p.child.exitCode !== null)
                throw new Error(
                  `exited with ${p.child.exitCode}: ${p
                    .output()
                    .split('\n')
                    .filter((l) => /cannot start|failed/.test(l))
                    .join(' ')}`,
                );
              if (Date.now() > until) throw new Error('not ready within 180 s');
              await new Promise((r) => setTimeout(r, 100));
            }
            await eventually(
              async () => (await fetch(`http://127.0.0.1:${starters[i].port}/health`)).status === 200,
              60_000,
              `/health 200 on ${starters[i].port}`,
            );
            return 'healthy';
          }),
        );
        for (const s of started)
          outcomes.push(s.status === 'fulfilled' ? s.value : `round ${round}: ${errorMessage(s.reason)}`);
        await Promise.all(running.map((p) => p.kill()));
        await Promise.all(nats.map((n) => n.stop()));
        nats = [];
      }
      expect(outcomes.filter((o) => o !== 'healthy')).toEqual([]);
      expect(outcomes.length).toBe(2 * ROUNDS);
    },
    ROUNDS * 300_000,
  );
});
