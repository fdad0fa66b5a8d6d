import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The ledger as an RFC 9162 Merkle tree (its leaves are the events' chain hashes): the interior
 * nodes of complete subtrees at every fourth level (tiles of 16), written by the ledger writer in
 * the same statement as the events that complete them, so an inclusion or consistency proof is a
 * few reads. And the checkpoints the
 * ledger signed (C2SP signed notes), kept apart from the ledger table: none is signed for a
 * history inconsistent with the last. Both append-only, like the ledger. The writer fills the tree
 * of a ledger recorded before it when it starts.
 */
export class LedgerTree1763800000012 implements MigrationInterface {
  name = 'LedgerTree1763800000012';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE ledger_tree (
        level smallint NOT NULL CHECK (level BETWEEN 1 AND 62 AND level % 4 = 0),
        idx   bigint   NOT NULL CHECK (idx >= 0),
        hash  bytea    NOT NULL CHECK (length(hash) = 32),
        PRIMARY KEY (level, idx)
      )`);
    await q.query(`
      CREATE TABLE ledger_checkpoints (
        tree_size bigint      PRIMARY KEY CHECK (tree_size >= 0),
        root_hash bytea       NOT NULL CHECK (length(root_hash) = 32),
        last_leaf char(64),
        note      text        NOT NULL,
        signed_at timestamptz NOT NULL DEFAULT now()
      )`);
    for (const table of ['ledger_tree', 'ledger_checkpoints']) {
      await q.query(
        `CREATE TRIGGER ${table}_no_update_delete BEFORE UPDATE OR DELETE ON ${table} FOR EACH ROW EXECUTE FUNCTION ledger_events_refuse_change()`,
      );
      await q.query(
        `CREATE TRIGGER ${table}_no_truncate BEFORE TRUNCATE ON ${table} FOR EACH STATEMENT EXECUTE FUNCTION ledger_events_refuse_change()`,
      );
      await q.query(`REVOKE ALL ON ${table} FROM PUBLIC`);
      await q.query(`GRANT SELECT, INSERT ON ${table} TO workgate_app`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE ledger_checkpoints, ledger_tree');
  }
}
