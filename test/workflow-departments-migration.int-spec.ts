import { Client } from 'pg';
import { createClient, GENESIS_HASH, insertLedgerRows, migrationDataSource } from '@workgate/event-store';
import { chainedRows } from '../libs/event-store/ledger-rows.fixtures';
import { freshDatabase, TestDatabase } from './support/database';

const MIGRATION = 'WorkflowDepartments1763800000032';

/**
 * The migration that gives `view_workflows` its department (docs/views.md, Departments and
 * comparisons) on a database whose views already folded workflow versions: each version takes the
 * department its own WorkflowPublished event names (not another version's, not another job type's),
 * and a version that names none stays without one. No replay of the ledger is needed.
 */
describe('migration: departments of the workflow versions already folded', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await freshDatabase();
  });
  afterAll(() => db?.drop());

  it('back-fills each folded version with the department its published event names', async () => {
    const source = await migrationDataSource(db.url);
    await source.initialize();
    try {
      while ((await source.query(`SELECT 1 FROM workgate_migrations WHERE name = $1`, [MIGRATION])).length)
        await source.undoLastMigration({ transaction: 'each' });

      // Published versions, as the ledger holds them: job type, version, and its definition's department (or none).
      const published: Array<[string, number, string | undefined]> = [
        ['refunds', 1, 'customer-support'],
        ['refunds', 2, 'finance'],
        ['repairs', 1, undefined],
        ['access', 1, 'regulated-services'],
      ];
      const { rows } = chainedRows(1, published.length + 1, GENESIS_HASH, 'WorkflowPublished', (position) => {
        const [jobType, version, department] = published[position - 1];
        return JSON.stringify({
          jobType,
          version,
          definition: { jobType, version, ...(department ? { department } : {}) },
        });
      });
      const owner: Client = createClient(db.url);
      await owner.connect();
      try {
        await insertLedgerRows(owner, rows);
        // The views folded every version but `access` (not yet folded: it gets no row here).
        for (const [jobType, version] of published.slice(0, 3))
          await owner.query(
            `INSERT INTO view_workflows (job_type, version, stall_after_ms, steps, published_at) VALUES ($1, $2, 0, 1, now())`,
            [jobType, version],
          );
      } finally {
        await owner.end();
      }

      await source.runMigrations({ transaction: 'each' });
      const after = await source.query(
        'SELECT job_type, version, department FROM view_workflows ORDER BY job_type, version',
      );
      expect(after).toEqual([
        { job_type: 'refunds', version: 1, department: 'customer-support' },
        { job_type: 'refunds', version: 2, department: 'finance' },
        { job_type: 'repairs', version: 1, department: null },
      ]);
    } finally {
      await source.destroy();
    }
  });
});
