import { MigrationInterface, QueryRunner } from 'typeorm';

/** View columns that hold a workflow version, and their tables. */
const VERSION_COLUMNS = [
  'view_work_orders',
  'view_approvals',
  'view_exceptions',
  'view_post_reviews',
  'view_workflows',
];

/**
 * Events a projection cannot fold are set aside here, with the error, instead of stopping every
 * projection: the projection goes on past them, `/health` and `/metrics` report them and
 * `npm run views:rebuild` folds them again. Workflow versions in the views become bigint, as
 * nothing a ledger holds from an earlier version then overflows them.
 */
export class ParkedEvents1763800000011 implements MigrationInterface {
  name = 'ParkedEvents1763800000011';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE projection_parked_events (
        projection text        NOT NULL,
        position   bigint      NOT NULL,
        event_type text        NOT NULL,
        error      text        NOT NULL,
        parked_at  timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (projection, position)
      )`);
    await q.query('GRANT SELECT, INSERT, UPDATE, DELETE ON projection_parked_events TO workgate_app');
    for (const table of VERSION_COLUMNS) await q.query(`ALTER TABLE ${table} ALTER COLUMN version TYPE bigint`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of VERSION_COLUMNS) await q.query(`ALTER TABLE ${table} ALTER COLUMN version TYPE integer`);
    await q.query('DROP TABLE projection_parked_events');
  }
}
