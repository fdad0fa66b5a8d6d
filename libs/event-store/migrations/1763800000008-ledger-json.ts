import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `data` and `metadata` become `json`: Postgres keeps the canonical text the writer sends as it
 * is, instead of converting every event to `jsonb` on the way in and back to text on every read
 * (about 5 µs of Postgres CPU per row written and 2 per row read). Nothing queries inside them
 * with `jsonb` operators; every reader parses the text. Rewrites the table once.
 */
export class LedgerJson1763800000008 implements MigrationInterface {
  name = 'LedgerJson1763800000008';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      'ALTER TABLE ledger_events ALTER COLUMN data TYPE json USING data::json, ALTER COLUMN metadata TYPE json USING metadata::json',
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(
      'ALTER TABLE ledger_events ALTER COLUMN data TYPE jsonb USING data::jsonb, ALTER COLUMN metadata TYPE jsonb USING metadata::jsonb',
    );
  }
}
