import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { Pool } from 'pg';
import { WorkgateConfig } from '@workgate/config';
import { createPool } from '@workgate/event-store';

/**
 * The gateway's own small Postgres pool, for its own tables only (apps/gateway/README.md): the
 * Idempotency-Key answers (`IdempotencyAnswersRepository`) and the arguments of held tool calls
 * (`ToolCallArgumentsRepository`). Its probe is the readiness check's `postgres`. What the views
 * hold is asked of the ledger, never read here.
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

  async onApplicationShutdown(): Promise<void> {
    await this.pool.end();
  }
}
