import { Controller, Get, Inject } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import { NatsConnection } from 'nats';
import { SERVICES, Subjects } from '@workgate/contracts';
import { NATS_CONNECTION, RpcClient } from '@workgate/messaging';
import { GatewayDatabase } from './gateway-database';
import { Public } from './http';
import { Documented } from './openapi';

const SERVICE_TIMEOUT_MS = 1500;

/** Readiness: NATS, Postgres and every service answering on its health subject. 503 when any is down. */
@ApiTags('operations')
@Public()
@Controller()
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly rpc: RpcClient,
    private readonly db: GatewayDatabase,
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
  ) {}

  @Get('health')
  @Documented('Readiness', 'Health', 'NATS, Postgres and every service answering on its health subject; 503 (with this report in `details`) when any is down.')
  @HealthCheck()
  check() {
    return this.health.check([
      () => this.nats(),
      () => this.postgres(),
      ...SERVICES.map((service) => () => this.service(service)),
    ]);
  }

  private async nats() {
    const session = this.indicators.check('nats');
    try {
      const rttMs = await this.nc.rtt();
      return session.up({ server: this.nc.getServer(), rttMs });
    } catch (error) {
      return session.down({ message: (error as Error).message });
    }
  }

  private async postgres() {
    const session = this.indicators.check('postgres');
    try {
      await this.db.pool.query('SELECT 1');
      return session.up();
    } catch (error) {
      return session.down({ message: (error as Error).message });
    }
  }

  private async service(service: (typeof SERVICES)[number]) {
    const session = this.indicators.check(service);
    try {
      const reply = await this.rpc.request(Subjects.health(service), {}, { timeoutMs: SERVICE_TIMEOUT_MS });
      return reply.ok ? session.up({ instance: reply.instance, ...reply.details }) : session.down({ ...reply.details });
    } catch (error) {
      return session.down({ message: (error as Error).message });
    }
  }
}
