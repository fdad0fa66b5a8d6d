import { MigrationInterface, QueryRunner } from 'typeorm';

/** Due times of every armed timer (approval expiry, reminders, SLAs, overdue post-reviews), fed from the ledger. */
export class TimersView1763800000004 implements MigrationInterface {
  name = 'TimersView1763800000004';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE view_timers (
        timer_id  text        PRIMARY KEY,
        kind      text        NOT NULL,
        stream_id text        NOT NULL,
        due_at    timestamptz NOT NULL,
        detail    jsonb       NOT NULL DEFAULT '{}'
      )`);
    await q.query('CREATE INDEX view_timers_due ON view_timers (kind, due_at)');
    await q.query('GRANT SELECT, INSERT, UPDATE, DELETE ON view_timers TO workgate_app');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE view_timers');
  }
}
