import { MigrationInterface, QueryRunner } from 'typeorm';

/** Every table the views projection folds but view_workflows (folding a version again makes the same row). */
const VIEWS =
  'view_work_orders, view_exceptions, view_post_reviews, view_approvals, view_inbox, view_steps, view_decisions, view_step_counts, view_decision_counts';

/**
 * The department comparison without a scan of every work order closed in its window:
 * - `view_work_orders` keeps each work order's exceptions per code and whether it owes a
 *   post-review;
 * - `view_closure_counts`: per job type, version and day of closure (UTC, YYYY-MM-DD), the work
 *   orders closed, first-time fixes, closures with evidence, steps required and with evidence,
 *   break-glasses, exceptions per code and times to close (count and sum per duration bucket);
 * - `view_post_reviews_completed` finds the post-reviews open at a time (not completed, or
 *   completed since) for the overdue ones.
 * The views' checkpoint is dropped and every view table emptied but the workflow versions' (their
 * departments back-filled stay), so the projection replays the ledger from position 0 and fills
 * the new columns and the counts.
 */
export class ClosureCounts1763800000033 implements MigrationInterface {
  name = 'ClosureCounts1763800000033';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM projection_checkpoints WHERE name = 'views'`);
    await q.query(`TRUNCATE ${VIEWS}`);
    await q.query(`
      ALTER TABLE view_work_orders
        ADD COLUMN exception_codes jsonb   NOT NULL DEFAULT '{}',
        ADD COLUMN break_glass     boolean NOT NULL DEFAULT false`);
    await q.query(`
      CREATE TABLE view_closure_counts (
        key                    text    PRIMARY KEY,
        job_type               text    NOT NULL,
        version                integer NOT NULL,
        day                    text    NOT NULL,
        work_orders            integer NOT NULL,
        first_time_fix         integer NOT NULL,
        closures_with_evidence integer NOT NULL,
        steps_required         integer NOT NULL,
        steps_with_evidence    integer NOT NULL,
        break_glass            integer NOT NULL,
        codes                  jsonb   NOT NULL,
        seconds                jsonb   NOT NULL,
        millis                 jsonb   NOT NULL
      )`);
    await q.query('CREATE INDEX view_closure_counts_day ON view_closure_counts (day)');
    await q.query('CREATE INDEX view_post_reviews_completed ON view_post_reviews (completed_at)');
    await q.query('GRANT SELECT ON view_closure_counts TO workgate_app, workgate_ledger');
    await q.query('GRANT SELECT, INSERT, UPDATE, DELETE ON view_closure_counts TO workgate_views');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE view_closure_counts');
    await q.query('DROP INDEX view_post_reviews_completed');
    await q.query('ALTER TABLE view_work_orders DROP COLUMN exception_codes, DROP COLUMN break_glass');
    await q.query(`DELETE FROM projection_checkpoints WHERE name = 'views'`);
    await q.query(`TRUNCATE ${VIEWS}`);
  }
}
