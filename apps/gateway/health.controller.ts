import { Controller, Get, ServiceUnavailableException } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { HealthMonitor, HealthReport, healthSummary } from './health-monitor';
import { CurrentPrincipal, Principal, Public, Role, SkipRateLimit } from './http';
import { Documented } from './openapi';

/** Who sees the checks' details (hosts, ports, instance ids, problems): whoever runs the deployment. */
export const HEALTH_DETAILS_ROLE: Role = 'ops-lead';

/**
 * Readiness: NATS, Postgres and every service, as the background checks last saw them. 503 when
 * any is down. Anyone may ask (probes, load balancers) and hears only up/down per component; a
 * principal with HEALTH_DETAILS_ROLE also hears each check's details.
 */
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
    'NATS, Postgres and every service, checked in the background once a second (each check time-boxed), so this answers at once. 503 (with this report in `details`) when any is down, lagging or reports a problem: a paused projection, events set aside, a stalled or paused relay. ' +
      `Without a key (or with a key lacking the \`${HEALTH_DETAILS_ROLE}\` role) each component says only its \`status\` (\`up\` or \`down\`); with an \`${HEALTH_DETAILS_ROLE}\` key it also says what its check saw: hosts, instance ids, positions, problems.`,
  )
  async check(@CurrentPrincipal() principal?: Principal): Promise<HealthReport> {
    const full = await this.monitor.report();
    const report = principal?.roles.includes(HEALTH_DETAILS_ROLE) ? full : healthSummary(full);
    if (report.status !== 'ok') throw new ServiceUnavailableException(report);
    return report;
  }
}
