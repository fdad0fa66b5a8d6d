import { Inject, Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import type { Written } from '@workgate/contracts';
import { GatewayDatabase } from '../gateway-database.repository';

/** What the database holds for a principal's key: a kept answer, or another request's live reservation (no reply yet). */
export interface KeyRow {
  fingerprint: string;
  reply: Written<unknown> | null;
}

/** How long a reservation holds a key without an answer before another request may take it over (its holder died). */
export const RESERVATION_EXPIRES_MS = 60_000;

/**
 * The gateway's `idempotency_answers` table: one row per principal and Idempotency-Key. A request
 * reserves the key (a row without a reply, naming the request as its holder) before it writes; its
 * answer is kept in that row; a refused request gives the key back. Every gateway of a deployment
 * shares the table, so it decides which request of many with one key writes.
 */
@Injectable()
export class IdempotencyAnswersRepository {
  private readonly pool: Pool;

  constructor(@Inject(GatewayDatabase) db: Pick<GatewayDatabase, 'pool'>) {
    this.pool = db.pool;
  }

  /**
   * Reserves the key for `holder` unless another request holds it or has answered on it: true when
   * it is now held by `holder`. A reservation older than `expiresMs` with no reply is taken over.
   */
  async reserve(
    principal: string,
    key: string,
    fingerprint: string,
    holder: string,
    expiresMs = RESERVATION_EXPIRES_MS,
  ): Promise<boolean> {
    const { rowCount } = await this.pool.query(
      `INSERT INTO idempotency_answers AS a (principal, key, fingerprint, holder) VALUES ($1, $2, $3, $4)
       ON CONFLICT (principal, key) DO UPDATE SET fingerprint = EXCLUDED.fingerprint, holder = EXCLUDED.holder, created_at = now()
         WHERE a.reply IS NULL AND a.created_at < now() - make_interval(secs => $5::double precision / 1000)`,
      [principal, key, fingerprint, holder, expiresMs],
    );
    return rowCount === 1;
  }

  /** The kept answer or live reservation for a key; undefined when the key is free. */
  async find(principal: string, key: string): Promise<KeyRow | undefined> {
    const { rows } = await this.pool.query<KeyRow>(
      'SELECT fingerprint, reply FROM idempotency_answers WHERE principal = $1 AND key = $2',
      [principal, key],
    );
    return rows[0];
  }

  /** Keeps the answer in the holder's reservation (false when it expired and was taken over meanwhile: nothing is kept). */
  async keep(principal: string, key: string, holder: string, reply: Written<unknown>): Promise<boolean> {
    const { rowCount } = await this.pool.query(
      'UPDATE idempotency_answers SET reply = $4, holder = NULL WHERE principal = $1 AND key = $2 AND holder = $3 AND reply IS NULL',
      [principal, key, holder, JSON.stringify(reply)],
    );
    return rowCount === 1;
  }

  /** Gives the key back when its holder answered without keeping anything (a refused write wrote nothing). */
  async release(principal: string, key: string, holder: string): Promise<void> {
    await this.pool.query(
      'DELETE FROM idempotency_answers WHERE principal = $1 AND key = $2 AND holder = $3 AND reply IS NULL',
      [principal, key, holder],
    );
  }

  /** Forgets answers (and reservations) older than the retention. */
  async prune(days: number): Promise<void> {
    await this.pool.query('DELETE FROM idempotency_answers WHERE created_at < now() - make_interval(days => $1)', [
      days,
    ]);
  }
}
