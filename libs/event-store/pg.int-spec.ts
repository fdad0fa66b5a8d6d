import { freshDatabase, TestDatabase } from '../../test/support/database';
import { createPool, inTransaction } from './pg';

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
      await expect(
        inTransaction(pool, async (client) => (await client.query('SELECT 1 AS one')).rows[0].one),
      ).resolves.toBe(1);
    } finally {
      process.off('uncaughtException', onUncaught);
      await pool.end();
    }
  });
});
