import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The evidence views (docs/views.md, The views), all fed by one projection (`views`) so they agree with
 * each other at every checkpoint: work orders gain what stall, first-time-fix and evidence
 * completeness need; exceptions, post-reviews and workflow versions get tables of their own;
 * approvals learn their job type. The views are emptied and their checkpoints dropped, so the
 * projection replays the ledger from position 0 into the new shape.
 */
export class EvidenceViews1763800000007 implements MigrationInterface {
  name = 'EvidenceViews1763800000007';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM projection_checkpoints WHERE name IN ('work-orders', 'approvals')`);
    await q.query('TRUNCATE view_work_orders, view_approvals');
    await q.query(`
      ALTER TABLE view_work_orders
        ADD COLUMN exceptions_total  integer NOT NULL DEFAULT 0,
        ADD COLUMN pending_approvals integer NOT NULL DEFAULT 0,
        ADD COLUMN stuck_since       timestamptz,
        ADD COLUMN stalled_at        timestamptz,
        ADD COLUMN stall_after_ms    bigint  NOT NULL DEFAULT 0,
        ADD COLUMN steps_required    integer NOT NULL DEFAULT 0,
        ADD COLUMN steps_completed   integer NOT NULL DEFAULT 0`);
    await q.query('CREATE INDEX view_work_orders_closed ON view_work_orders (closed_at) WHERE closed_at IS NOT NULL');
    await q.query('CREATE INDEX view_work_orders_opened ON view_work_orders (opened_at)');
    await q.query(`
      ALTER TABLE view_approvals
        ADD COLUMN job_type text    NOT NULL DEFAULT '',
        ADD COLUMN version  integer NOT NULL DEFAULT 0`);
    await q.query(`
      CREATE TABLE view_exceptions (
        exception_id       uuid        PRIMARY KEY,
        work_order_id      uuid        NOT NULL,
        job_type           text        NOT NULL,
        version            integer     NOT NULL,
        code               text        NOT NULL,
        owner              text        NOT NULL,
        step_id            text,
        raised_at          timestamptz NOT NULL,
        due_at             timestamptz NOT NULL,
        resolved_at        timestamptz,
        sla_breached       boolean     NOT NULL DEFAULT false,
        remediations_total integer     NOT NULL DEFAULT 0,
        remediations_open  integer     NOT NULL DEFAULT 0
      )`);
    await q.query('CREATE INDEX view_exceptions_raised ON view_exceptions (raised_at)');
    await q.query('CREATE INDEX view_exceptions_code ON view_exceptions (code, raised_at)');
    await q.query(`
      CREATE TABLE view_post_reviews (
        post_review_id uuid        PRIMARY KEY,
        work_order_id  uuid        NOT NULL,
        exception_id   uuid        NOT NULL,
        job_type       text        NOT NULL,
        version        integer     NOT NULL,
        owner          text        NOT NULL,
        created_at     timestamptz NOT NULL,
        due_at         timestamptz NOT NULL,
        completed_at   timestamptz
      )`);
    await q.query('CREATE INDEX view_post_reviews_due ON view_post_reviews (due_at)');
    await q.query(`
      CREATE TABLE view_workflows (
        job_type       text        NOT NULL,
        version        integer     NOT NULL,
        stall_after_ms bigint      NOT NULL,
        steps          integer     NOT NULL,
        published_at   timestamptz NOT NULL,
        PRIMARY KEY (job_type, version)
      )`);
    await q.query(
      'GRANT SELECT, INSERT, UPDATE, DELETE ON view_exceptions, view_post_reviews, view_workflows TO workgate_app',
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE view_workflows, view_post_reviews, view_exceptions');
    await q.query('ALTER TABLE view_approvals DROP COLUMN job_type, DROP COLUMN version');
    await q.query(`
      ALTER TABLE view_work_orders DROP COLUMN exceptions_total, DROP COLUMN pending_approvals, DROP COLUMN stuck_since,
        DROP COLUMN stalled_at, DROP COLUMN stall_after_ms, DROP COLUMN steps_required, DROP COLUMN steps_completed`);
    await q.query('DROP INDEX view_work_orders_closed, view_work_orders_opened');
    await q.query(`DELETE FROM projection_checkpoints WHERE name = 'views'`);
  }
}
