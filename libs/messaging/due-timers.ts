import { Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { DueTimer, Subjects, TimerKind, WorkgateError } from '@workgate/contracts';
import { RpcClient } from './rpc-client';

/**
 * Fires due timers of some kinds: due times live in the ledger's timers view (armed and disarmed
 * by the events themselves), so they survive any restart; what a timer records has deterministic
 * event ids and an expected stream version, so several instances ticking fire each timer once.
 */
export abstract class DueTimerScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer?: NodeJS.Timeout;
  private ticking = false;
  protected readonly logger: Logger;

  constructor(
    protected readonly rpc: RpcClient,
    private readonly kinds: TimerKind[],
    service: string,
    private readonly tickMs = 500,
  ) {
    this.logger = new Logger(service);
  }

  /** Applies one due timer to its aggregate. A `not_due` refusal (clocks apart) is ignored. */
  protected abstract fire(timer: DueTimer, now: string): Promise<unknown>;

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.tick(), this.tickMs);
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  /** One pass over what is due at `now`; returns how many timers fired. */
  async tick(now = new Date().toISOString()): Promise<number> {
    if (this.ticking) return 0;
    this.ticking = true;
    let fired = 0;
    try {
      const due = await this.rpc.request(Subjects.ledger.dueTimers, { kinds: this.kinds, now, limit: 200 });
      for (const t of due) {
        try {
          await this.fire(t, now);
          fired++;
        } catch (error) {
          if ((error as WorkgateError).code !== 'not_due')
            this.logger.warn(`timer ${t.timerId}: ${(error as Error).message}`);
        }
      }
    } catch (error) {
      this.logger.warn(`timers paused: ${(error as Error).message}`);
    } finally {
      this.ticking = false;
    }
    return fired;
  }
}
