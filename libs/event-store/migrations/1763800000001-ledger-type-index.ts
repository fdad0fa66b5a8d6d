import { MigrationInterface, QueryRunner } from 'typeorm';

/** Events by type in position order: definitions at start, decisions for simulation, projections. */
export class LedgerTypeIndex1763800000001 implements MigrationInterface {
  name = 'LedgerTypeIndex1763800000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query('CREATE INDEX ledger_events_type_position ON ledger_events (type, position)');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP INDEX ledger_events_type_position');
  }
}
