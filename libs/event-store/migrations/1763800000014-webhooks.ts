import { MigrationInterface, QueryRunner } from 'typeorm';

const TABLES = ['webhook_subscriptions', 'webhook_deliveries', 'webhook_attempts'];

/**
 * Webhooks for people (docs/api.md, Webhooks): subscriptions with their signing secrets, one delivery per
 * notification and subscription (its id is the `webhook-id`), and every attempt. Due times live
 * here, so retries survive a restart. Not evidence: the approvals service, logged in as the app
 * role, keeps them.
 */
export class Webhooks1763800000014 implements MigrationInterface {
  name = 'Webhooks1763800000014';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE webhook_subscriptions (
        id          uuid        PRIMARY KEY,
        url         text        NOT NULL,
        events      text[]      NOT NULL,
        principals  text[],
        secret      text        NOT NULL,
        created_by  text        NOT NULL,
        created_at  timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE webhook_deliveries (
        id              uuid        PRIMARY KEY,
        subscription_id uuid        NOT NULL REFERENCES webhook_subscriptions (id) ON DELETE CASCADE,
        type            text        NOT NULL,
        body            text        NOT NULL,
        status          text        NOT NULL CHECK (status IN ('pending', 'delivered', 'dead')),
        attempts        integer     NOT NULL DEFAULT 0,
        next_attempt_at timestamptz,
        created_at      timestamptz NOT NULL DEFAULT now()
      )`);
    // What each webhook has due, oldest first: the dispatcher takes a few of each, never all of one.
    await q.query(
      `CREATE INDEX webhook_deliveries_due ON webhook_deliveries (subscription_id, next_attempt_at) WHERE status = 'pending'`,
    );
    await q.query('CREATE INDEX webhook_deliveries_subscription ON webhook_deliveries (subscription_id, created_at)');
    await q.query(`
      CREATE TABLE webhook_attempts (
        delivery_id uuid        NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
        n           integer     NOT NULL,
        at          timestamptz NOT NULL,
        status      integer,
        error       text,
        PRIMARY KEY (delivery_id, n)
      )`);
    await q.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ${TABLES.join(', ')} TO workgate_app`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE ${[...TABLES].reverse().join(', ')}`);
  }
}
