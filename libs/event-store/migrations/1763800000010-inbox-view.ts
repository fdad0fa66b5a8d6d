import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The delegates' inboxes as a view of the ledger (fed by the `views` projection from
 * DelegationDispatched), so a dispatcher reads its own delegation at once (docs/api.md, Conventions (read your writes)).
 * Filled from the events already recorded; the projection keeps it from then on.
 */
export class InboxView1763800000010 implements MigrationInterface {
  name = 'InboxView1763800000010';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE view_inbox (
        dispatch_id         uuid        PRIMARY KEY,
        recipient           text        NOT NULL,
        command             text        NOT NULL,
        dispatch_created_at timestamptz NOT NULL,
        work_order_id       uuid        NOT NULL,
        message             jsonb       NOT NULL
      )`);
    await q.query('CREATE INDEX view_inbox_recipient ON view_inbox (recipient, dispatch_created_at)');
    await q.query(`
      INSERT INTO view_inbox (dispatch_id, recipient, command, dispatch_created_at, work_order_id, message)
      SELECT (data->>'dispatchId')::uuid, data->>'recipient', data->>'command', (data->>'dispatchCreatedAt')::timestamptz, (data->>'workOrderId')::uuid,
             jsonb_build_object('dispatchId', data->'dispatchId', 'dispatchCreatedAt', data->'dispatchCreatedAt', 'command', data->'command',
                                'workOrderId', data->'workOrderId', 'from', data->'dispatchedBy', 'prompt', data->'prompt')
        FROM ledger_events WHERE type = 'DelegationDispatched'
      ON CONFLICT DO NOTHING`);
    await q.query('GRANT SELECT, INSERT, UPDATE, DELETE ON view_inbox TO workgate_app');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE view_inbox');
  }
}
