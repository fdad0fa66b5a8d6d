import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { Pool } from 'pg';
import { WorkgateConfig } from '@workgate/config';
import { createPool } from '@workgate/event-store';

/** The figures the gateway's metrics read from the views, at each scrape. */
export interface DomainCounts {
  approvalsPending: number;
  postReviewsOverdue: number;
  deadLetters: number;
}

/**
 * The gateway's own small Postgres pool and the few reads it makes with it: its health probe, how
 * far the views have caught up, the counts its metrics show. (The Idempotency-Key table has its
 * repository, `IdempotencyAnswersRepository`, on this pool.)
 */
@Injectable()
export class GatewayDatabase implements OnApplicationShutdown {
  readonly pool: Pool;

  constructor(@Inject(WorkgateConfig) config: WorkgateConfig) {
    this.pool = createPool(config.DATABASE_URL, {
      role: config.WORKGATE_DB_ROLE || undefined,
      max: 4,
      applicationName: 'workgate-gateway',
    });
  }

  /** Answers when Postgres does (the health probe). */
  async ping(): Promise<void> {
    await this.pool.query('SELECT 1');
  }

  /** The ledger position the views have folded up to. */
  async viewsPosition(): Promise<number> {
    const { rows } = await this.pool.query<{ position: string }>(
      "SELECT position FROM projection_checkpoints WHERE name = 'views'",
    );
    return Number(rows[0]?.position ?? 0);
  }

  /** Approvals waiting, post-reviews overdue and dead letters, from the views. */
  async domainCounts(): Promise<DomainCounts> {
    const { rows } = await this.pool.query<DomainCounts>(
      `SELECT (SELECT count(*) FROM view_approvals WHERE status IN ('requested', 'conditional'))::int AS "approvalsPending",
              (SELECT count(*) FROM view_post_reviews WHERE completed_at IS NULL AND due_at < now())::int AS "postReviewsOverdue",
              (SELECT count(*) FROM dead_letters)::int AS "deadLetters"`,
    );
    return rows[0];
  }

  async onApplicationShutdown(): Promise<void> {
    await this.pool.end();
  }
}
