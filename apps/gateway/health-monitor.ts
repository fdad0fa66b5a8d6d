import { Inject, Injectable, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { NatsConnection } from 'nats';
import { LedgerHealthDetails, SERVICES, Subjects } from '@workgate/contracts';
import { NATS_CONNECTION, RpcClient } from '@workgate/messaging';
import { GatewayDatabase } from './gateway-database.repository';

/** How often every check runs, in the background. */
const POLL_MS = 1000;
/** A check that has not answered within this long is reported down (it keeps running). */
const CHECK_TIMEOUT_MS = 1500;
/** A result older than this is not trusted: the check is reported as not answering (a poll and a time-out). */
const STALE_MS = POLL_MS + CHECK_TIMEOUT_MS;

interface CheckResult {
  up: boolean;
  details: Record<string, unknown>;
  at: number;
}

/** Whether a service's health details are the ledger's (they report its head). */
const isLedgerDetails = (details: Record<string, unknown>): details is LedgerHealthDetails => 'headPosition' in details;

/** The readiness report: Terminus's shape, `details` holding every check. */
export interface HealthReport {
  status: 'ok' | 'error';
  info: Record<string, Record<string, unknown>>;
  error: Record<string, Record<string, unknown>>;
  details: Record<string, Record<string, unknown>>;
}

/** The report with each component's status alone: what anyone may see (no hosts, ports, instance ids or problems). */
export function healthSummary(report: HealthReport): HealthReport {
  const statuses = (entries: Record<string, Record<string, unknown>>) =>
    Object.fromEntries(Object.entries(entries).map(([name, e]) => [name, { status: e.status }]));
  return {
    status: report.status,
    info: statuses(report.info),
    error: statuses(report.error),
    details: statuses(report.details),
  };
}

/**
 * Readiness, kept fresh in the background: NATS, Postgres and every service are checked once a
 * second, each check time-boxed, so `/health` answers at once from what was last seen and never
 * waits on a stopped NATS or a hung Postgres. A check still running after CHECK_TIMEOUT_MS is
 * down (and not started again until it returns); a result older than STALE_MS is not trusted.
 */
@Injectable()
export class HealthMonitor implements OnModuleInit, OnApplicationShutdown {
  private readonly results = new Map<string, CheckResult>();
  /** Checks still running, with when they started. */
  private readonly running = new Map<string, number>();
  private timer?: NodeJS.Timeout;
  private firstRound?: Promise<void>;

  constructor(
    private readonly rpc: RpcClient,
    private readonly db: GatewayDatabase,
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
  ) {}

  onModuleInit(): void {
    this.firstRound = this.poll();
    this.timer = setInterval(() => void this.poll(), POLL_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  /** What the ledger last reported (head, relay, projections), if it answered. */
  get ledger(): LedgerHealthDetails | undefined {
    const result = this.results.get('ledger');
    return result && Date.now() - result.at <= STALE_MS && isLedgerDetails(result.details) ? result.details : undefined;
  }

  /** The report as of now; before the first round of checks has answered, waits for it (at most STALE_MS). */
  async report(): Promise<HealthReport> {
    if (this.results.size < this.checks().length) {
      await Promise.race([this.firstRound, new Promise((resolve) => setTimeout(resolve, STALE_MS).unref())]);
    }
    const now = Date.now();
    const report: HealthReport = { status: 'ok', info: {}, error: {}, details: {} };
    for (const [name] of this.checks()) {
      const result = this.results.get(name);
      const fresh = result && now - result.at <= STALE_MS;
      const entry = fresh
        ? { status: result.up ? 'up' : 'down', ...result.details }
        : {
            status: 'down',
            message: result ? `no answer for ${((now - result.at) / 1000).toFixed(1)} s` : 'not checked yet',
          };
      report.details[name] = entry;
      if (entry.status === 'up') report.info[name] = entry;
      else report.error[name] = entry;
    }
    if (Object.keys(report.error).length) report.status = 'error';
    return report;
  }

  private checks(): Array<[string, () => Promise<Omit<CheckResult, 'at'>>]> {
    return [
      ['nats', async () => ({ up: true, details: { server: this.nc.getServer(), rttMs: await this.nc.rtt() } })],
      ['postgres', async () => (await this.db.ping(), { up: true, details: {} })],
      ...SERVICES.map((service): [string, () => Promise<Omit<CheckResult, 'at'>>] => [
        service,
        async () => {
          const reply = await this.rpc.request(Subjects.health(service), {}, { timeoutMs: CHECK_TIMEOUT_MS });
          return { up: reply.ok, details: { instance: reply.instance, ...reply.details } };
        },
      ]),
    ];
  }

  private async poll(): Promise<void> {
    await Promise.all(this.checks().map(([name, run]) => this.check(name, run)));
  }

  private async check(name: string, run: () => Promise<Omit<CheckResult, 'at'>>): Promise<void> {
    const since = this.running.get(name);
    if (since !== undefined) {
      // The last one has not returned: another would only pile up. Past its time-out it is down;
      // before that, what it last answered stands.
      if (Date.now() - since > CHECK_TIMEOUT_MS)
        this.results.set(name, {
          up: false,
          details: { message: `no answer for ${((Date.now() - since) / 1000).toFixed(1)} s` },
          at: Date.now(),
        });
      return;
    }
    this.running.set(name, Date.now());
    const work = run().then(
      (result) => ({ ...result, at: Date.now() }),
      (error: Error) => ({ up: false, details: { message: error.message }, at: Date.now() }),
    );
    void work.then((result) => {
      this.running.delete(name);
      this.results.set(name, result);
    });
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        this.results.set(name, {
          up: false,
          details: { message: `no answer within ${CHECK_TIMEOUT_MS / 1000} s` },
          at: Date.now(),
        });
        resolve();
      }, CHECK_TIMEOUT_MS);
    });
    await Promise.race([work.then(() => undefined), late]);
    clearTimeout(timer);
  }
}
