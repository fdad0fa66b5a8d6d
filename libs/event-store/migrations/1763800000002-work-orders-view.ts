import { MigrationInterface, QueryRunner } from 'typeorm';

/** Projection checkpoints and the work-orders view (rebuildable from the ledger). */
export class WorkOrdersView1763800000002 implements MigrationInterface {
  name = 'WorkOrdersView1763800000002';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE projection_checkpoints (
        name       text        PRIMARY KEY,
        position   bigint      NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE view_work_orders (
        id               uuid        PRIMARY KEY,
        source           text        NOT NULL,
        external_ref     text        NOT NULL,
        job_type         text        NOT NULL,
        version          integer     NOT NULL,
        owner            text        NOT NULL,
        status           text        NOT NULL,
        opened_at        timestamptz NOT NULL,
        updated_at       timestamptz NOT NULL,
        closed_at        timestamptz,
        evidence_missing boolean     NOT NULL DEFAULT false,
        reopened         integer     NOT NULL DEFAULT 0,
        open_exceptions  integer     NOT NULL DEFAULT 0,
        last_position    bigint      NOT NULL,
        CONSTRAINT view_work_orders_ref UNIQUE (source, external_ref)
      )`);
    await q.query('CREATE INDEX view_work_orders_job_type ON view_work_orders (job_type, opened_at DESC)');
    await q.query('CREATE INDEX view_work_orders_status ON view_work_orders (status, opened_at DESC)');
    await q.query('GRANT SELECT, INSERT, UPDATE, DELETE ON projection_checkpoints, view_work_orders TO workgate_app');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE view_work_orders');
    await q.query('DROP TABLE projection_checkpoints');
  }
}
