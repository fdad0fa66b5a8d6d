import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The ledger writer's signature of each of its commits: Ed25519 with the ledger's key over the
 * commit's last position and its chain hash (which covers every earlier event), written in the
 * same statement as the commit's events. A row no signature covers, past the last signed
 * checkpoint, is not the writer's. Append-only, like the ledger; only the writer's role adds to it.
 */
export class CommitSignatures1763800000015 implements MigrationInterface {
  name = 'CommitSignatures1763800000015';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE ledger_commit_signatures (
        position  bigint PRIMARY KEY CHECK (position > 0),
        signature bytea  NOT NULL CHECK (length(signature) = 64)
      )`);
    await q.query(
      `CREATE TRIGGER ledger_commit_signatures_no_update_delete BEFORE UPDATE OR DELETE ON ledger_commit_signatures FOR EACH ROW EXECUTE FUNCTION ledger_events_refuse_change()`,
    );
    await q.query(
      `CREATE TRIGGER ledger_commit_signatures_no_truncate BEFORE TRUNCATE ON ledger_commit_signatures FOR EACH STATEMENT EXECUTE FUNCTION ledger_events_refuse_change()`,
    );
    await q.query(`REVOKE ALL ON ledger_commit_signatures FROM PUBLIC`);
    await q.query(`GRANT SELECT ON ledger_commit_signatures TO workgate_app, workgate_views`);
    await q.query(`GRANT SELECT, INSERT ON ledger_commit_signatures TO workgate_ledger`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE ledger_commit_signatures');
  }
}
