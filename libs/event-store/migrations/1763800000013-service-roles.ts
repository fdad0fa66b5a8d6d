import { MigrationInterface, QueryRunner } from 'typeorm';

/** The views: the projections write them, everything else reads them. */
const VIEW_TABLES = [
  'view_work_orders',
  'view_approvals',
  'view_timers',
  'view_exceptions',
  'view_post_reviews',
  'view_workflows',
  'view_inbox',
  'projection_checkpoints',
  'projection_parked_events',
];
/** The evidence: only the ledger writer adds to it. */
const LEDGER_TABLES = ['ledger_events', 'ledger_tree', 'ledger_checkpoints'];
const ROLES = ['workgate_app', 'workgate_ledger', 'workgate_views'];

/**
 * Least privilege: the services log in as roles that are neither superusers nor the owners of any
 * table (so no `RESET ROLE` gets anything back), one per kind of access: `workgate_ledger` (the
 * ledger writer: the only one that may INSERT into the ledger, its Merkle tree and its
 * checkpoints), `workgate_views` (the projections: the only one that writes the views) and
 * `workgate_app` (everything else: reads, idempotency answers, dead letters). With
 * WORKGATE_DB_PASSWORD set when the migrations run, it becomes the password of all three.
 */
export class ServiceRoles1763800000013 implements MigrationInterface {
  name = 'ServiceRoles1763800000013';

  async up(q: QueryRunner): Promise<void> {
    for (const role of ROLES) {
      await q.query(`DO $$ BEGIN
          IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${role}') THEN CREATE ROLE ${role}; END IF;
        END $$`);
      await q.query(`ALTER ROLE ${role} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS`);
    }
    const password = process.env.WORKGATE_DB_PASSWORD;
    if (password) for (const role of ROLES) await q.query(`ALTER ROLE ${role} PASSWORD ${quoteLiteral(password)}`);
    await q.query(
      `DO $$ BEGIN EXECUTE format('GRANT CONNECT ON DATABASE %I TO ${ROLES.join(', ')}', current_database()); END $$`,
    );

    await q.query(`REVOKE INSERT ON ${LEDGER_TABLES.join(', ')} FROM workgate_app`);
    await q.query(`GRANT SELECT ON ${LEDGER_TABLES.join(', ')} TO workgate_app, workgate_views`);
    await q.query(`GRANT SELECT, INSERT ON ${LEDGER_TABLES.join(', ')} TO workgate_ledger`);

    await q.query(`REVOKE INSERT, UPDATE, DELETE ON ${VIEW_TABLES.join(', ')} FROM workgate_app`);
    await q.query(`GRANT SELECT ON ${VIEW_TABLES.join(', ')} TO workgate_app, workgate_ledger`);
    await q.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ${VIEW_TABLES.join(', ')} TO workgate_views`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(
      `REVOKE ALL ON ${[...LEDGER_TABLES, ...VIEW_TABLES].join(', ')} FROM workgate_ledger, workgate_views`,
    );
    await q.query(`GRANT INSERT ON ${LEDGER_TABLES.join(', ')} TO workgate_app`);
    await q.query(`GRANT INSERT, UPDATE, DELETE ON ${VIEW_TABLES.join(', ')} TO workgate_app`);
    // The roles stay as they are: they belong to the cluster, and other databases may use them.
  }
}

function quoteLiteral(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}
