import { MigrationInterface, QueryRunner } from 'typeorm';

const VIEWS = 'view_work_orders, view_exceptions, view_post_reviews, view_approvals, view_workflows, view_inbox';

/**
 * The live workflow map's views (docs/views.md, The live workflow map), fed by the `views` projection: per work order
 * where each step of its workflow stands (`view_steps`), every action decision and the rule that
 * made it (`view_decisions`), and per approval the map's gate node and when it was decided. Every
 * view table is emptied and the checkpoint dropped, so the projection replays the ledger from
 * position 0 into the new shape.
 */
export class WorkflowMapViews1763800000017 implements MigrationInterface {
  name = 'WorkflowMapViews1763800000017';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM projection_checkpoints WHERE name = 'views'`);
    await q.query(`TRUNCATE ${VIEWS}`);
    await q.query(`ALTER TABLE view_workflows ADD COLUMN step_order jsonb NOT NULL DEFAULT '{}'`);
    await q.query(`
      ALTER TABLE view_approvals
        ADD COLUMN gate       text,
        ADD COLUMN opened_at  timestamptz NOT NULL,
        ADD COLUMN decided_at timestamptz`);
    await q.query('CREATE INDEX view_approvals_opened ON view_approvals (job_type, opened_at)');
    await q.query('CREATE INDEX view_exceptions_work_order ON view_exceptions (work_order_id)');
    await q.query(`
      CREATE TABLE view_steps (
        work_order_id uuid        PRIMARY KEY,
        job_type      text        NOT NULL,
        version       integer     NOT NULL,
        opened_at     timestamptz NOT NULL,
        steps         jsonb       NOT NULL,
        last_done_at  timestamptz NOT NULL,
        next_step     text,
        stuck_step    text,
        stalled_step  text
      )`);
    await q.query('CREATE INDEX view_steps_opened ON view_steps (job_type, opened_at)');
    await q.query(`
      CREATE TABLE view_decisions (
        action_id     uuid        PRIMARY KEY,
        work_order_id uuid        NOT NULL,
        job_type      text        NOT NULL,
        version       integer     NOT NULL,
        rule          text,
        decision      text        NOT NULL,
        decided_at    timestamptz NOT NULL,
        opened_at     timestamptz NOT NULL
      )`);
    await q.query('CREATE INDEX view_decisions_opened ON view_decisions (job_type, opened_at)');
    await q.query('GRANT SELECT ON view_steps, view_decisions TO workgate_app, workgate_ledger');
    await q.query('GRANT SELECT, INSERT, UPDATE, DELETE ON view_steps, view_decisions TO workgate_views');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE view_decisions, view_steps');
    await q.query('DROP INDEX view_exceptions_work_order, view_approvals_opened');
    await q.query('ALTER TABLE view_approvals DROP COLUMN gate, DROP COLUMN opened_at, DROP COLUMN decided_at');
    await q.query('ALTER TABLE view_workflows DROP COLUMN step_order');
    await q.query(`DELETE FROM projection_checkpoints WHERE name = 'views'`);
    await q.query(`TRUNCATE ${VIEWS}`);
  }
}
