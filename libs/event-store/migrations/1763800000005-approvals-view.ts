import { MigrationInterface, QueryRunner } from 'typeorm';

/** The approval queue: one row per approval, fed from the ledger. */
export class ApprovalsView1763800000005 implements MigrationInterface {
  name = 'ApprovalsView1763800000005';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE view_approvals (
        approval_id  uuid        PRIMARY KEY,
        work_order_id uuid       NOT NULL,
        action_id    uuid        NOT NULL,
        owner        text        NOT NULL,
        requested_by text        NOT NULL,
        status       text        NOT NULL,
        requested_at timestamptz NOT NULL,
        expires_at   timestamptz NOT NULL,
        decided_by   text,
        updated_at   timestamptz NOT NULL
      )`);
    await q.query('CREATE INDEX view_approvals_owner ON view_approvals (owner, status, requested_at)');
    await q.query('GRANT SELECT, INSERT, UPDATE, DELETE ON view_approvals TO workgate_app');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE view_approvals');
  }
}
