import { Controller, Get, ServiceUnavailableException } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { HealthMonitor, HealthReport } from './health-monitor';
import { Public, SkipRateLimit } from './http';
import { Documented } from './openapi';

/** Readiness: NATS, Postgres and every service, as the background checks last saw them. 503 when any is down. */
@ApiTags('operations')
@Public()
@SkipRateLimit()
@Controller()
export class HealthController {
  constructor(private readonly monitor: HealthMonitor) {}

  @Get('health')
  @Documented(
    'Readiness',
    'Health',
    'NATS, Postgres and every service, checked in the background once a second (each check time-boxed), so this answers at once. 503 (with this report in `details`) when any is down, lagging or reports a problem: a paused projection, events set aside, a stalled relay.',
  )
  async check(): Promise<HealthReport> {
    const report = await this.monitor.report();
    if (report.status !== 'ok') throw new ServiceUnavailableException(report);
    return report;
  }
}
