import { MigrationInterface, QueryRunner } from 'typeorm';

const VIEWS =
  'view_work_orders, view_exceptions, view_post_reviews, view_approvals, view_workflows, view_inbox, view_steps, view_decisions, view_step_counts, view_decision_counts';

/**
 * The live workflow map's gates and exception-codes views read from an index alone, not from the
 * tables (nor a join of every exception with its work order):
 * - `view_exceptions` keeps when its work order was opened (the map's window is on it), with an
 *   index on (job_type, opened_at) holding every column exception-codes reads;
 * - `view_approvals_gates` does the same for the approvals of a gate, in place of
 *   `view_approvals_opened`.
 * Every view table is emptied and the checkpoint dropped, so the projection replays the ledger
 * from position 0 and fills the new column.
 */
export class MapCoveringIndexes1763800000022 implements MigrationInterface {
  name = 'MapCoveringIndexes1763800000022';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM projection_checkpoints WHERE name = 'views'`);
    await q.query(`TRUNCATE ${VIEWS}`);
    await q.query('ALTER TABLE view_exceptions ADD COLUMN opened_at timestamptz NOT NULL');
    await q.query(`
      CREATE INDEX view_exceptions_opened ON view_exceptions (job_type, opened_at)
        INCLUDE (version, code, raised_at, resolved_at, due_at, escalated_at)`);
    await q.query('DROP INDEX view_approvals_opened');
    await q.query(`
      CREATE INDEX view_approvals_gates ON view_approvals (job_type, opened_at)
        INCLUDE (version, gate, status, requested_at, decided_at) WHERE gate IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP INDEX view_approvals_gates, view_exceptions_opened');
    await q.query('CREATE INDEX view_approvals_opened ON view_approvals (job_type, opened_at)');
    await q.query('ALTER TABLE view_exceptions DROP COLUMN opened_at');
  }
}
