import { MigrationInterface, QueryRunner } from 'typeorm';

const VIEWS =
  'view_work_orders, view_exceptions, view_post_reviews, view_approvals, view_workflows, view_inbox, view_steps, view_decisions';

/**
 * The live workflow map's step numbers without a scan of every work order of the window:
 * - `view_step_counts`: per job type, version, step and day of opening, the work orders with the
 *   step, how many completed it and how long that took (counts per duration bucket), the times it
 *   was blocked and with which codes; the steps views add up the days of a window.
 * - `view_decision_counts`: the action decisions by rule and decision, per day of opening, for
 *   the rules view.
 * Days are UTC, as YYYY-MM-DD.
 * - `view_steps` keeps whether its work order is open or blocked and its stuck and stalled spells,
 *   with a partial index over the few work orders held at a step (open, stuck, or stalled once).
 * Every view table is emptied and the checkpoint dropped, so the projection replays the ledger
 * from position 0 and fills the counts.
 */
export class MapCounts1763800000020 implements MigrationInterface {
  name = 'MapCounts1763800000020';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM projection_checkpoints WHERE name = 'views'`);
    await q.query(`TRUNCATE ${VIEWS}`);
    await q.query(`
      ALTER TABLE view_steps
        ADD COLUMN active         boolean NOT NULL DEFAULT false,
        ADD COLUMN stuck_since    timestamptz,
        ADD COLUMN stalled_at     timestamptz,
        ADD COLUMN stall_after_ms bigint  NOT NULL DEFAULT 0`);
    await q.query(`
      CREATE INDEX view_steps_held ON view_steps (job_type, opened_at)
        INCLUDE (version, next_step, active, stuck_step, stuck_since, stall_after_ms, stalled_step, stalled_at)
        WHERE active OR stuck_step IS NOT NULL OR stalled_step IS NOT NULL`);
    await q.query(`
      CREATE TABLE view_step_counts (
        key         text    PRIMARY KEY,
        job_type    text    NOT NULL,
        version     integer NOT NULL,
        step_id     text    NOT NULL,
        day         text    NOT NULL,
        i           integer NOT NULL,
        work_orders integer NOT NULL,
        completed   integer NOT NULL,
        seconds     jsonb   NOT NULL,
        blocked     integer NOT NULL,
        codes       jsonb   NOT NULL
      )`);
    await q.query('CREATE INDEX view_step_counts_day ON view_step_counts (job_type, day)');
    await q.query('CREATE INDEX view_step_counts_all_days ON view_step_counts (day)');
    await q.query(`
      CREATE TABLE view_decision_counts (
        key       text    PRIMARY KEY,
        job_type  text    NOT NULL,
        version   integer NOT NULL,
        day       text    NOT NULL,
        rule      text,
        decision  text    NOT NULL,
        decisions integer NOT NULL
      )`);
    await q.query('CREATE INDEX view_decision_counts_day ON view_decision_counts (job_type, day)');
    await q.query('CREATE INDEX view_decision_counts_all_days ON view_decision_counts (day)');
    await q.query('GRANT SELECT ON view_step_counts, view_decision_counts TO workgate_app, workgate_ledger');
    await q.query('GRANT SELECT, INSERT, UPDATE, DELETE ON view_step_counts, view_decision_counts TO workgate_views');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE view_step_counts, view_decision_counts');
    await q.query('DROP INDEX view_steps_held');
    await q.query(
      'ALTER TABLE view_steps DROP COLUMN active, DROP COLUMN stuck_since, DROP COLUMN stalled_at, DROP COLUMN stall_after_ms',
    );
    await q.query(`DELETE FROM projection_checkpoints WHERE name = 'views'`);
    await q.query(`TRUNCATE ${VIEWS}`);
  }
}
