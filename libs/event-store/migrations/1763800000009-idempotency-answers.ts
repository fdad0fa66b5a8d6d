import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The first answer of every HTTP write sent with an Idempotency-Key, per principal and key, with
 * a fingerprint of the request: a replay answers it again, the same key with another request is
 * refused (docs/api.md, Conventions (idempotency)). Kept by the gateway; pruned after the retention it documents.
 */
export class IdempotencyAnswers1763800000009 implements MigrationInterface {
  name = 'IdempotencyAnswers1763800000009';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE idempotency_answers (
        principal   text        NOT NULL,
        key         text        NOT NULL,
        fingerprint text        NOT NULL,
        reply       jsonb       NOT NULL,
        created_at  timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (principal, key)
      )`);
    await q.query('CREATE INDEX idempotency_answers_created ON idempotency_answers (created_at)');
    await q.query('GRANT SELECT, INSERT, DELETE ON idempotency_answers TO workgate_app');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE idempotency_answers');
  }
}
