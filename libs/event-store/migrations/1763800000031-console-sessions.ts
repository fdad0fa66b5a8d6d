import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The gateway's console sessions and the sign-ins on their way through the identity provider
 * (docs/sign-in.md, The console), shared by every gateway of a deployment and kept across a
 * restart. A session is found by the sha256 of its cookie's value, a sign-in by the sha256 of its
 * `state`: neither value is ever stored. Rows past their expiry, idle too long or revoked are
 * deleted by the gateway.
 */
export class ConsoleSessions1763800000031 implements MigrationInterface {
  name = 'ConsoleSessions1763800000031';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE console_sessions (
        id_sha256    text        PRIMARY KEY,
        principal    text        NOT NULL,
        issuer       text        NOT NULL,
        claims       jsonb       NOT NULL,
        csrf_token   text        NOT NULL,
        created_at   timestamptz NOT NULL DEFAULT now(),
        last_seen_at timestamptz NOT NULL DEFAULT now(),
        expires_at   timestamptz NOT NULL,
        idle_seconds integer     NOT NULL CHECK (idle_seconds > 0),
        revoked_at   timestamptz
      )`);
    await q.query('CREATE INDEX console_sessions_principal ON console_sessions (principal)');
    await q.query('CREATE INDEX console_sessions_expires_at ON console_sessions (expires_at)');
    await q.query(`
      CREATE TABLE console_logins (
        state_sha256  text        PRIMARY KEY,
        nonce         text        NOT NULL,
        code_verifier text        NOT NULL,
        expires_at    timestamptz NOT NULL
      )`);
    await q.query('GRANT SELECT, INSERT, UPDATE, DELETE ON console_sessions, console_logins TO workgate_app');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE console_logins');
    await q.query('DROP TABLE console_sessions');
  }
}
