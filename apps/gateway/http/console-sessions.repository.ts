import { randomBytes } from 'node:crypto';
import type { OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import type { Pool, QueryResultRow } from 'pg';
import { WorkgateError } from '@workgate/contracts';
import { ConsoleSession, LOGIN_TTL_MS, PendingLogin } from './console-sessions';
import { sha256Hex } from './principals';

/** The longest a console session lasts, whatever the ID token allows. */
export const MAX_SESSION_MS = 12 * 3600_000;
/** How often expired, idle and revoked sessions (and expired sign-ins) are deleted, beside their lookups. */
export const SWEEP_EVERY_MS = 60_000;

const token = () => randomBytes(32).toString('base64url');

/** Provider token of the console's session repository. */
export const CONSOLE_SESSIONS = Symbol('workgate:console-sessions');

/** What a session is opened with: who signed in (the mapped principal id) and their verified claims. */
export type NewSession = Pick<ConsoleSession, 'principal' | 'claims' | 'issuer'>;

interface SessionRow {
  principal: string;
  issuer: string;
  claims: Record<string, unknown>;
  csrf_token: string;
  expires_at: Date;
}

const fromRow = (row: SessionRow): ConsoleSession => ({
  principal: row.principal,
  issuer: row.issuer,
  claims: row.claims,
  csrfToken: row.csrf_token,
  expiresAt: row.expires_at.getTime(),
});

/** A session is live: not revoked, not past its expiry, used within its idle time. */
const LIVE = 'revoked_at IS NULL AND expires_at > now() AND last_seen_at > now() - make_interval(secs => idle_seconds)';

/**
 * The console's sessions and sign-ins in progress (docs/sign-in.md, The console) in the gateway's
 * `console_sessions` and `console_logins` tables: every gateway of a deployment shares them, and a
 * restart keeps them. The sign-in service and the edge's identification ask it, never the HTTP
 * routes. Ids and states are the cookies' values; the tables hold only their sha256.
 */
export class ConsoleSessionRepository implements OnModuleInit, OnApplicationShutdown {
  private sweeping?: NodeJS.Timeout;

  constructor(
    private readonly pool: Pool,
    /** How long a session may go unused before it ends (WORKGATE_SESSION_IDLE_MINUTES). */
    private readonly idleSeconds: number,
  ) {}

  onModuleInit(): void {
    // A failed sweep (Postgres away for a moment) is tried again at the next.
    this.sweeping = setInterval(() => void this.sweep().catch(() => undefined), SWEEP_EVERY_MS);
    this.sweeping.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.sweeping);
  }

  /** A new session until the ID token's `exp` (at most 12 h): its cookie value, and the session. */
  async open(session: NewSession, idTokenExp: number | undefined): Promise<{ id: string; session: ConsoleSession }> {
    const id = token();
    const csrfToken = token();
    const expiresAt = Math.min(Date.now() + MAX_SESSION_MS, idTokenExp ? idTokenExp * 1000 : Infinity);
    await this.query(
      `INSERT INTO console_sessions (id_sha256, principal, issuer, claims, csrf_token, expires_at, idle_seconds)
       VALUES ($1, $2, $3, $4, $5, to_timestamp($6::double precision / 1000), $7)`,
      [
        sha256Hex(id),
        session.principal,
        session.issuer,
        JSON.stringify(session.claims),
        csrfToken,
        expiresAt,
        this.idleSeconds,
      ],
    );
    return { id, session: { ...session, csrfToken, expiresAt } };
  }

  /**
   * The live session of a cookie value, if any, its last use now; a session found ended (expired,
   * idle, revoked) is deleted.
   */
  async session(id: string | undefined): Promise<ConsoleSession | undefined> {
    if (!id) return undefined;
    const hash = sha256Hex(id);
    const { rows } = await this.query<SessionRow>(
      `UPDATE console_sessions SET last_seen_at = now() WHERE id_sha256 = $1 AND ${LIVE}
       RETURNING principal, issuer, claims, csrf_token, expires_at`,
      [hash],
    );
    if (rows[0]) return fromRow(rows[0]);
    await this.query(`DELETE FROM console_sessions WHERE id_sha256 = $1 AND NOT (${LIVE})`, [hash]);
    return undefined;
  }

  /** Ends the session: its cookie no longer works. */
  async end(id: string | undefined): Promise<void> {
    if (!id) return;
    await this.query('UPDATE console_sessions SET revoked_at = now() WHERE id_sha256 = $1 AND revoked_at IS NULL', [
      sha256Hex(id),
    ]);
  }

  /** Ends every live session of `principal`, on every gateway: how many were live. */
  async endAll(principal: string): Promise<number> {
    const { rowCount } = await this.query(
      `UPDATE console_sessions SET revoked_at = now() WHERE principal = $1 AND ${LIVE}`,
      [principal],
    );
    return rowCount ?? 0;
  }

  /** A sign-in started: its `state` (also the login cookie's value), nonce and PKCE verifier. */
  async startLogin(): Promise<{ state: string } & PendingLogin> {
    const state = token();
    const login = { nonce: token(), codeVerifier: token(), expiresAt: Date.now() + LOGIN_TTL_MS };
    await this.query(
      `INSERT INTO console_logins (state_sha256, nonce, code_verifier, expires_at)
       VALUES ($1, $2, $3, to_timestamp($4::double precision / 1000))`,
      [sha256Hex(state), login.nonce, login.codeVerifier, login.expiresAt],
    );
    return { state, ...login };
  }

  /** The sign-in of `state`, once, on whichever gateway its callback reaches: a callback replayed finds nothing. */
  async finishLogin(state: string | undefined): Promise<PendingLogin | undefined> {
    if (!state) return undefined;
    const { rows } = await this.query<{ nonce: string; code_verifier: string; expires_at: Date }>(
      'DELETE FROM console_logins WHERE state_sha256 = $1 RETURNING nonce, code_verifier, expires_at',
      [sha256Hex(state)],
    );
    const row = rows[0];
    if (!row || row.expires_at.getTime() <= Date.now()) return undefined;
    return { nonce: row.nonce, codeVerifier: row.code_verifier, expiresAt: row.expires_at.getTime() };
  }

  /** A statement; 503 `unavailable` when Postgres does not answer it. */
  private async query<R extends QueryResultRow>(text: string, values: unknown[] = []) {
    try {
      return await this.pool.query<R>(text, values);
    } catch {
      throw new WorkgateError(
        'unavailable',
        'the console sessions cannot be read or written (the database does not answer): try again',
      );
    }
  }

  /** Deletes the sessions that ended (expired, idle, revoked) and the sign-ins that expired. */
  async sweep(): Promise<void> {
    await this.query(`DELETE FROM console_sessions WHERE NOT (${LIVE})`);
    await this.query('DELETE FROM console_logins WHERE expires_at <= now()');
  }
}
