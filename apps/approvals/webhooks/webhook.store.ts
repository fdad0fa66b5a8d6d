import { randomBytes, randomUUID } from 'node:crypto';
import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { Pool } from 'pg';
import {
  CreatedWebhook,
  DeliveryAttempt,
  DeliveryStatus,
  NotificationType,
  WebhookDelivery,
  WebhookView,
} from '@workgate/contracts';
import { WorkgateConfig } from '@workgate/config';
import { createPool } from '@workgate/event-store';
import { AttemptResult } from './backoff';
import { secretOf } from './signature';
import { Interest } from './subscriptions';

/** A subscription with what signing needs. */
export interface Subscription extends Interest {
  id: string;
  url: string;
  secret: string;
}

/** A delivery taken for an attempt: where it goes and the exact body to sign and send. */
export interface DueDelivery {
  id: string;
  subscription: Subscription;
  body: string;
  attempts: number;
}

/** Secrets are 32 random bytes (Standard Webhooks asks for 24 to 64). */
const SECRET_BYTES = 32;
const LISTED = 100;

/** A row of `webhook_subscriptions` as `SELECT *` reads it. */
interface SubscriptionRow {
  id: string;
  url: string;
  events: string[];
  principals: string[] | null;
  secret: string;
  created_at: Date;
  created_by: string;
}

/** What signing a delivery reads of a subscription. */
type SigningRow = Pick<SubscriptionRow, 'id' | 'url' | 'events' | 'principals' | 'secret'>;

/** A delivery taken for an attempt, with its subscription's signing columns. */
interface DueRow extends Omit<SigningRow, 'id'> {
  id: string;
  body: string;
  attempts: number;
  subscription_id: string;
}

/** A delivery as listed, its attempts aggregated by Postgres into JSON (times as text). */
interface DeliveryRow {
  id: string;
  type: NotificationType;
  status: DeliveryStatus;
  next_attempt_at: Date | null;
  created_at: Date;
  attempts: Array<{ at: string; status: number | null; error: string | null }>;
}

function signing(r: SigningRow): Subscription {
  return {
    id: r.id,
    url: r.url,
    secret: r.secret,
    events: r.events,
    ...(r.principals ? { principals: r.principals } : {}),
  };
}

function view(r: SubscriptionRow): WebhookView {
  return {
    id: r.id,
    url: r.url,
    events: r.events,
    ...(r.principals ? { principals: r.principals } : {}),
    createdAt: r.created_at.toISOString(),
    createdBy: r.created_by,
  };
}

/** Webhook subscriptions, deliveries and attempts in Postgres (never in the ledger: secrets are not evidence). */
@Injectable()
export class WebhookStore implements OnApplicationShutdown {
  private readonly pool: Pool;

  constructor(@Inject(WorkgateConfig) config: WorkgateConfig) {
    this.pool = createPool(config.DATABASE_URL, {
      role: config.WORKGATE_DB_ROLE || undefined,
      max: 4,
      applicationName: 'workgate-webhooks',
    });
  }

  async create(interest: Interest & { url: string }, by: string): Promise<CreatedWebhook> {
    const secret = secretOf(randomBytes(SECRET_BYTES));
    const { rows } = await this.pool.query<SubscriptionRow>(
      'INSERT INTO webhook_subscriptions (id, url, events, principals, secret, created_by) VALUES ($1, $2, $3, $4, $5, $6) RETURNING *',
      [randomUUID(), interest.url, interest.events, interest.principals ?? null, secret, by],
    );
    return { ...view(rows[0]), secret };
  }

  async list(): Promise<WebhookView[]> {
    const { rows } = await this.pool.query<SubscriptionRow>(
      'SELECT * FROM webhook_subscriptions ORDER BY created_at, id',
    );
    return rows.map(view);
  }

  async get(id: string): Promise<WebhookView | undefined> {
    const { rows } = await this.pool.query<SubscriptionRow>('SELECT * FROM webhook_subscriptions WHERE id = $1', [id]);
    return rows[0] && view(rows[0]);
  }

  /** Deletes a subscription and its deliveries. */
  async delete(id: string): Promise<WebhookView | undefined> {
    const { rows } = await this.pool.query<SubscriptionRow>(
      'DELETE FROM webhook_subscriptions WHERE id = $1 RETURNING *',
      [id],
    );
    return rows[0] && view(rows[0]);
  }

  /**
   * The webhooks that existed when the ledger recorded an event at `recordedAt`: a newer one is not
   * sent the history before it. The few seconds of grace absorb a clock difference between the
   * ledger writer's host and Postgres, so an event recorded just after a webhook is never missed.
   */
  async subscriptions(recordedAt: string): Promise<Subscription[]> {
    const { rows } = await this.pool.query<SigningRow>(
      `SELECT id, url, events, principals, secret FROM webhook_subscriptions WHERE created_at <= $1::timestamptz + interval '5 seconds'`,
      [recordedAt],
    );
    return rows.map(signing);
  }

  /** Records deliveries due at once; one that exists already (a redelivered ledger event) is left as it is. */
  async enqueue(
    deliveries: Array<{ id: string; subscriptionId: string; type: NotificationType; body: string }>,
  ): Promise<void> {
    if (deliveries.length === 0) return;
    await this.pool.query(
      `INSERT INTO webhook_deliveries (id, subscription_id, type, body, status, next_attempt_at)
       SELECT d.id, d.subscription_id, d.type, d.body, 'pending', now()
         FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[]) AS d (id, subscription_id, type, body)
       ON CONFLICT (id) DO NOTHING`,
      [
        deliveries.map((d) => d.id),
        deliveries.map((d) => d.subscriptionId),
        deliveries.map((d) => d.type),
        deliveries.map((d) => d.body),
      ],
    );
  }

  /**
   * Takes up to `limit` deliveries due now for an attempt, leasing each for `leaseMs` (its next
   * attempt moves past the lease): another instance does not take them meanwhile, and one this
   * instance took but never finished (a crash) is due again when the lease ends.
   */
  async takeDue(
    limit: number,
    leaseMs: number,
    perWebhook: number,
    underWay: ReadonlyMap<string, number>,
  ): Promise<DueDelivery[]> {
    // The oldest due first, each webhook at most `perWebhook` less what it already has under way
    // in this instance, read per webhook from the due index (a long backlog is never sorted whole).
    const { rows } = await this.pool.query<DueRow>(
      `WITH under_way AS (SELECT * FROM unnest($4::uuid[], $5::int[]) AS u (subscription_id, n)),
       candidates AS (
         SELECT due.id, due.next_attempt_at FROM webhook_subscriptions s
          CROSS JOIN LATERAL (
            SELECT id, next_attempt_at FROM webhook_deliveries
             WHERE subscription_id = s.id AND status = 'pending' AND next_attempt_at <= now()
             ORDER BY next_attempt_at
             LIMIT greatest($3 - coalesce((SELECT n FROM under_way WHERE under_way.subscription_id = s.id), 0), 0)) due
          ORDER BY due.next_attempt_at LIMIT $1),
       taken AS (
         SELECT id FROM webhook_deliveries
          WHERE id IN (SELECT id FROM candidates) AND status = 'pending' AND next_attempt_at <= now()
          FOR UPDATE SKIP LOCKED)
       UPDATE webhook_deliveries d SET next_attempt_at = now() + $2 * interval '1 millisecond'
         FROM webhook_subscriptions s
        WHERE s.id = d.subscription_id AND d.id IN (SELECT id FROM taken)
        RETURNING d.id, d.body, d.attempts, s.id AS subscription_id, s.url, s.secret, s.events, s.principals`,
      [limit, leaseMs, perWebhook, [...underWay.keys()], [...underWay.values()]],
    );
    return rows.map((r) => ({
      id: r.id,
      body: r.body,
      attempts: r.attempts,
      subscription: signing({ ...r, id: r.subscription_id }),
    }));
  }

  /**
   * Records an attempt and what follows from it, in one statement, only if no other attempt of the
   * delivery was recorded since it was taken (a manual retry or an expired lease can run a second
   * one at the same time): the first recorded stands, the receiver drops the repeat by its
   * `webhook-id`, and nothing fails. True when this attempt is the one recorded.
   */
  async recordAttempt(delivery: DueDelivery, result: AttemptResult): Promise<boolean> {
    const status: DeliveryStatus = result.outcome === 'retry' ? 'pending' : result.outcome;
    const next = result.outcome === 'retry' ? result.nextAttemptAt : null;
    const { rowCount } = await this.pool.query(
      `WITH moved AS (
         UPDATE webhook_deliveries SET attempts = $2, status = $6, next_attempt_at = $7 WHERE id = $1 AND attempts = $2 - 1 RETURNING id)
       INSERT INTO webhook_attempts (delivery_id, n, at, status, error) SELECT id, $2, $3, $4, $5 FROM moved ON CONFLICT DO NOTHING`,
      [delivery.id, delivery.attempts + 1, result.at, result.status ?? null, result.error ?? null, status, next],
    );
    return rowCount === 1;
  }

  /** Ends the lease of a delivery whose attempt was cut short (the service stopping): it is due again at once. */
  async releaseLease(deliveryId: string): Promise<void> {
    await this.pool.query(
      `UPDATE webhook_deliveries SET next_attempt_at = now() WHERE id = $1 AND status = 'pending'`,
      [deliveryId],
    );
  }

  /** A webhook's deliveries, newest first, with their attempts. */
  async deliveries(subscriptionId: string, deliveryId?: string): Promise<WebhookDelivery[]> {
    const { rows } = await this.pool.query<DeliveryRow>(
      `SELECT d.id, d.type, d.status, d.next_attempt_at, d.created_at,
              coalesce(json_agg(json_build_object('at', a.at, 'status', a.status, 'error', a.error) ORDER BY a.n) FILTER (WHERE a.n IS NOT NULL), '[]') AS attempts
         FROM webhook_deliveries d LEFT JOIN webhook_attempts a ON a.delivery_id = d.id
        WHERE d.subscription_id = $1 AND ($2::uuid IS NULL OR d.id = $2)
        GROUP BY d.id ORDER BY d.created_at DESC, d.id LIMIT ${LISTED}`,
      [subscriptionId, deliveryId ?? null],
    );
    return rows.map((r) => ({
      deliveryId: r.id,
      type: r.type,
      status: r.status,
      attempts: r.attempts.map((a): DeliveryAttempt => ({
        at: new Date(a.at).toISOString(),
        ...(a.status !== null ? { status: a.status } : {}),
        ...(a.error !== null ? { error: a.error } : {}),
      })),
      ...(r.status === 'pending' && r.next_attempt_at ? { nextAttemptAt: r.next_attempt_at.toISOString() } : {}),
      createdAt: r.created_at.toISOString(),
    }));
  }

  /** Makes a delivery due now, a dead or delivered one included; false when the webhook has no such delivery. */
  async retryNow(subscriptionId: string, deliveryId: string): Promise<boolean> {
    const { rowCount } = await this.pool.query(
      `UPDATE webhook_deliveries SET status = 'pending', next_attempt_at = now() WHERE id = $1 AND subscription_id = $2`,
      [deliveryId, subscriptionId],
    );
    return rowCount === 1;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.pool.end();
  }
}
