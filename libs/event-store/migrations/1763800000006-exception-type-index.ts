import { MigrationInterface, QueryRunner } from 'typeorm';

/** ExceptionRaised joins the rare types read by type (drift signals count a code's recent raises). */
export class ExceptionTypeIndex1763800000006 implements MigrationInterface {
  name = 'ExceptionTypeIndex1763800000006';

  async up(q: QueryRunner): Promise<void> {
    await q.query('DROP INDEX ledger_events_rare_types');
    await q.query(
      `CREATE INDEX ledger_events_rare_types ON ledger_events (type, position) WHERE type IN ('WorkflowPublished', 'IntakeRejected', 'ExceptionRaised')`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP INDEX ledger_events_rare_types');
    await q.query(
      `CREATE INDEX ledger_events_rare_types ON ledger_events (type, position) WHERE type IN ('WorkflowPublished', 'IntakeRejected')`,
    );
  }
}
