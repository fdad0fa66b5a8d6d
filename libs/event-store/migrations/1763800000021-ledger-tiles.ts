import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The ledger's Merkle tree stored as C2SP tlog-tiles: a row per tile of 256 hashes (levels 8, 16,
 * … of the tree: tile level 1, 2, …), and a row per width a tile on the right edge had. A level-0
 * tile holds only the 16 hashes of tree level 4 over its 256 leaves (the leaf hashes are
 * recomputed from the events' chain hashes), written once whole. The nodes of `ledger_tree` at
 * levels 4, 8, 16, … become the tiles (the same hashes: every root and proof stays as it was), and
 * `ledger_tree` goes. Append-only, like the ledger.
 */
export class LedgerTiles1763800000021 implements MigrationInterface {
  name = 'LedgerTiles1763800000021';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE ledger_tiles (
        level  smallint NOT NULL CHECK (level BETWEEN 0 AND 7),
        idx    bigint   NOT NULL CHECK (idx >= 0),
        width  smallint NOT NULL CHECK (width BETWEEN 1 AND 256),
        hashes bytea    NOT NULL,
        PRIMARY KEY (level, idx, width),
        CHECK (level > 0 OR width = 16),
        CHECK (length(hashes) = 32 * width)
      )`);
    await appendOnly(q, 'ledger_tiles');
    // A tile from the nodes of one run of 256 indexes: whole when all 256 are there, partial
    // (the right edge) when a first run of them is. One with a hole is left out: the writer
    // computes what is missing from the stored hashes below it.
    await q.query(`
      INSERT INTO ledger_tiles (level, idx, width, hashes)
      SELECT level / 8, idx / 256, count(*), string_agg(hash, ''::bytea ORDER BY idx)
        FROM ledger_tree WHERE level % 8 = 0
       GROUP BY level, idx / 256
      HAVING min(idx % 256) = 0 AND max(idx % 256) = count(*) - 1`);
    await q.query(`
      INSERT INTO ledger_tiles (level, idx, width, hashes)
      SELECT 0, idx / 16, 16, string_agg(hash, ''::bytea ORDER BY idx)
        FROM ledger_tree WHERE level = 4
       GROUP BY idx / 16
      HAVING count(*) = 16`);
    await q.query('DROP TABLE ledger_tree');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE ledger_tree (
        level smallint NOT NULL CHECK (level BETWEEN 1 AND 62 AND level % 4 = 0),
        idx   bigint   NOT NULL CHECK (idx >= 0),
        hash  bytea    NOT NULL CHECK (length(hash) = 32),
        PRIMARY KEY (level, idx)
      )`);
    await appendOnly(q, 'ledger_tree');
    // The nodes the tiles hold (levels 4, 8, 16, …); the writer of that version fills in the rest from the leaves when it starts.
    await q.query(`
      INSERT INTO ledger_tree (level, idx, hash)
      SELECT CASE t.level WHEN 0 THEN 4 ELSE t.level * 8 END, t.idx * (CASE t.level WHEN 0 THEN 16 ELSE 256 END) + i,
             substring(t.hashes FROM 32 * i + 1 FOR 32)
        FROM (SELECT DISTINCT ON (level, idx) level, idx, width, hashes FROM ledger_tiles ORDER BY level, idx, width DESC) t
       CROSS JOIN LATERAL generate_series(0, t.width - 1) AS i`);
    await q.query('DROP TABLE ledger_tiles');
  }
}

/** Refuses UPDATE, DELETE and TRUNCATE; readable by the services, written only by the ledger writer. */
async function appendOnly(q: QueryRunner, table: string): Promise<void> {
  await q.query(
    `CREATE TRIGGER ${table}_no_update_delete BEFORE UPDATE OR DELETE ON ${table} FOR EACH ROW EXECUTE FUNCTION ledger_events_refuse_change()`,
  );
  await q.query(
    `CREATE TRIGGER ${table}_no_truncate BEFORE TRUNCATE ON ${table} FOR EACH STATEMENT EXECUTE FUNCTION ledger_events_refuse_change()`,
  );
  await q.query(`REVOKE ALL ON ${table} FROM PUBLIC`);
  await q.query(`GRANT SELECT ON ${table} TO workgate_app, workgate_views`);
  await q.query(`GRANT SELECT, INSERT ON ${table} TO workgate_ledger`);
}
