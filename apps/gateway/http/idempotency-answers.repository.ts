import { Inject, Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import type { Written } from '@workgate/contracts';
import { GatewayDatabase } from '../gateway-database.repository';

/** What the database holds for a principal's key: a kept answer, or another request's live reservation (no reply yet). */
export interface KeyRow {
  fingerprint: string;
  reply: Written<unknown> | null;
}

/**
 * A reservation is a lease: its holder renews it (RESERVATION_RENEW_MS) while its write runs, and
 * one not renewed for this long (its gateway died) is taken over by the next request with its key.
 */
export const RESERVATION_LEASE_MS = 5_000;
/** How often a holder renews its reservation while its write runs. */
export const RESERVATION_RENEW_MS = 1_000;

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
   * it is now held by `holder`. A reservation not renewed for `leaseMs` (no reply) is taken over.
   */
  async reserve(
    principal: string,
    key: string,
    fingerprint: string,
    holder: string,
    leaseMs = RESERVATION_LEASE_MS,
  ): Promise<boolean> {
    const { rowCount } = await this.pool.query(
      `INSERT INTO idempotency_answers AS a (principal, key, fingerprint, holder) VALUES ($1, $2, $3, $4)
       ON CONFLICT (principal, key) DO UPDATE SET fingerprint = EXCLUDED.fingerprint, holder = EXCLUDED.holder, created_at = now()
         WHERE a.reply IS NULL AND a.created_at < now() - make_interval(secs => $5::double precision / 1000)`,
      [principal, key, fingerprint, holder, leaseMs],
    );
    return rowCount === 1;
  }

  /** Renews the holder's reservation (its lease starts again): false when it was answered, given back or taken over. */
  async renew(principal: string, key: string, holder: string): Promise<boolean> {
    const { rowCount } = await this.pool.query(
      'UPDATE idempotency_answers SET created_at = now() WHERE principal = $1 AND key = $2 AND holder = $3 AND reply IS NULL',
      [principal, key, holder],
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
