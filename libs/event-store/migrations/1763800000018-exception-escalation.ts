import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Exceptions escalated past their SLA (a catalog code's `escalateTo`, `escalateAfter`): the
 * exceptions view keeps to whom and when. No exception was escalated before this version, so the
 * rows need no replay: the new columns start empty.
 */
export class ExceptionEscalation1763800000018 implements MigrationInterface {
  name = 'ExceptionEscalation1763800000018';

  async up(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE view_exceptions ADD COLUMN escalated_to text, ADD COLUMN escalated_at timestamptz');
    await q.query(
      'CREATE INDEX view_exceptions_escalated_to ON view_exceptions (escalated_to) WHERE escalated_to IS NOT NULL',
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP INDEX view_exceptions_escalated_to');
    await q.query('ALTER TABLE view_exceptions DROP COLUMN escalated_to, DROP COLUMN escalated_at');
  }
}
