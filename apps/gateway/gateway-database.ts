import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { Pool } from 'pg';
import { WorkgateConfig } from '@workgate/config';
import { createPool } from '@workgate/event-store';

/** The gateway's own small Postgres pool (health today; read-side views later). */
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

  async onApplicationShutdown(): Promise<void> {
    await this.pool.end();
  }
}
