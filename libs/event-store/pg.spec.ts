import { freshDatabase, TestDatabase } from '../../test/support/database';
import { createPool, inTransaction } from './pg';
import { ProjectionRunner } from './projection-runner';

describe('inTransaction (real Postgres)', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await freshDatabase();
  });
  afterAll(async () => db.drop());

  it('fails the transaction, and does not crash the process, when Postgres drops the connection between statements', async () => {
    const pool = createPool(db.url, { max: 2 });
    const admin = db.ownerPool();
    const crashes: unknown[] = [];
    const onUncaught = (error: unknown) => crashes.push(error);
    process.on('uncaughtException', onUncaught);
    try {
      const outcome = await inTransaction(pool, async (client) => {
        const { rows } = await client.query('SELECT pg_backend_pid() AS pid');
        // Postgres ends this connection while no query of it is running (as when the server stops
        // while a projection folds a page in Node).
        await admin.query('SELECT pg_terminate_backend($1)', [rows[0].pid]);
        await new Promise((r) => setTimeout(r, 200));
        return 'committed';
      }).catch((error: Error) => error);
      expect(outcome).toBeInstanceOf(Error);
      expect(crashes).toEqual([]);
      // The pool carries on with a fresh connection.
      await expect(inTransaction(pool, async (client) => (await client.query('SELECT 1 AS one')).rows[0].one)).resolves.toBe(1);
    } finally {
      process.off('uncaughtException', onUncaught);
      await pool.end();
    }
  });

  it('commits asynchronously only the transactions that ask for it, and the setting does not outlive them', async () => {
    const pool = createPool(db.url, { max: 1 }); // one connection: each transaction reuses the last one's
    const setting = (c: { query: typeof pool.query }) => c.query('SHOW synchronous_commit').then((r) => r.rows[0].synchronous_commit as string);
    try {
      expect(await inTransaction(pool, setting, { asynchronousCommit: true })).toBe('off');
      expect(await inTransaction(pool, setting)).toBe('on');
      expect(await setting(pool)).toBe('on');
    } finally {
      await pool.end();
    }
  });

  it('applies projection pages with asynchronous commit (they are redone from the ledger after a crash)', async () => {
    const pool = createPool(db.url, { max: 2 });
    const seen: string[] = [];
    const runner = new ProjectionRunner(pool, [
      { name: 'sync-commit-probe', types: ['WorkflowPublished'], tables: [], apply: async (client) => void seen.push((await client.query('SHOW synchronous_commit')).rows[0].synchronous_commit) },
    ]);
    try {
      await db.ownerPool().query(
        `INSERT INTO ledger_events (position, stream_id, stream_version, event_id, type, data, metadata, occurred_at, recorded_at, prev_hash, hash)
         VALUES (1, 'workflow-x', 1, gen_random_uuid(), 'WorkflowPublished', '{}', '{}', now(), now(), repeat('0', 64), repeat('1', 64))`,
      );
      expect(await runner.catchUp()).toBe(1);
      expect(seen).toEqual(['off']);
    } finally {
      await pool.end();
    }
  });
});
