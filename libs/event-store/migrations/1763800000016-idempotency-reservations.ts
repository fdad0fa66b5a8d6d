import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Requests with one Idempotency-Key answered by several gateways take turns through the database:
 * the first reserves the key (a row without a reply, naming its holder) before it writes, the
 * others wait for the reply it keeps there. A reservation whose holder died expires (the gateway
 * takes it over), so a key is never stuck.
 */
export class IdempotencyReservations1763800000016 implements MigrationInterface {
  name = 'IdempotencyReservations1763800000016';

  async up(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE idempotency_answers ALTER COLUMN reply DROP NOT NULL');
    await q.query('ALTER TABLE idempotency_answers ADD COLUMN holder text');
    await q.query('GRANT UPDATE ON idempotency_answers TO workgate_app');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('REVOKE UPDATE ON idempotency_answers FROM workgate_app');
    await q.query('DELETE FROM idempotency_answers WHERE reply IS NULL');
    await q.query('ALTER TABLE idempotency_answers DROP COLUMN holder');
    await q.query('ALTER TABLE idempotency_answers ALTER COLUMN reply SET NOT NULL');
  }
}
