import { MigrationInterface, QueryRunner } from 'typeorm';

/** The evidence ledger: one append-only, hash-chained table, and the role that may only INSERT and SELECT it. */
export class LedgerEvents1763800000000 implements MigrationInterface {
  name = 'LedgerEvents1763800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE ledger_events (
        position       bigint      PRIMARY KEY CHECK (position > 0),
        stream_id      text        NOT NULL CHECK (length(stream_id) BETWEEN 1 AND 200),
        stream_version integer     NOT NULL CHECK (stream_version > 0),
        event_id       uuid        NOT NULL,
        type           text        NOT NULL CHECK (length(type) BETWEEN 1 AND 200),
        data           jsonb       NOT NULL,
        metadata       jsonb       NOT NULL,
        occurred_at    timestamptz NOT NULL,
        recorded_at    timestamptz NOT NULL,
        prev_hash      char(64)    NOT NULL,
        hash           char(64)    NOT NULL,
        CONSTRAINT ledger_events_event_id UNIQUE (event_id),
        CONSTRAINT ledger_events_stream_version UNIQUE (stream_id, stream_version)
      )`);
    await q.query(`
      CREATE FUNCTION ledger_events_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'ledger_events is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
      END $$`);
    await q.query(`CREATE TRIGGER ledger_events_no_update_delete BEFORE UPDATE OR DELETE ON ledger_events
      FOR EACH ROW EXECUTE FUNCTION ledger_events_refuse_change()`);
    await q.query(`CREATE TRIGGER ledger_events_no_truncate BEFORE TRUNCATE ON ledger_events
      FOR EACH STATEMENT EXECUTE FUNCTION ledger_events_refuse_change()`);

    // Messages that can never be processed: kept with their raw bytes and the reason.
    await q.query(`
      CREATE TABLE dead_letters (
        id          bigserial   PRIMARY KEY,
        stream      text        NOT NULL,
        consumer    text        NOT NULL,
        subject     text        NOT NULL,
        stream_seq  bigint,
        deliveries  integer     NOT NULL,
        headers     jsonb       NOT NULL,
        payload     bytea       NOT NULL,
        reason      text        NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT dead_letters_once UNIQUE (stream, consumer, stream_seq)
      )`);

    await q.query(`DO $$ BEGIN
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'workgate_app') THEN
          CREATE ROLE workgate_app NOLOGIN;
        END IF;
      END $$`);
    await q.query(`REVOKE ALL ON ledger_events FROM PUBLIC`);
    await q.query(`GRANT SELECT, INSERT ON ledger_events TO workgate_app`);
    await q.query(`GRANT SELECT, INSERT ON dead_letters TO workgate_app`);
    await q.query(`GRANT USAGE ON SEQUENCE dead_letters_id_seq TO workgate_app`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE dead_letters`);
    await q.query(`DROP TABLE ledger_events`);
    await q.query(`DROP FUNCTION ledger_events_refuse_change()`);
  }
}
