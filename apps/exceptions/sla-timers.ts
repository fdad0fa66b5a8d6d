import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Subjects } from '@workgate/contracts';
import { RpcClient } from '@workgate/messaging';
import { ExceptionsStore } from './exceptions.store';

const TICK_MS = 1000;

/** Records an SLA breach once for every open exception past its due time (due times from the ledger's timers view). */
@Injectable()
export class SlaTimers implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('exceptions');
  private timer?: NodeJS.Timeout;
  private ticking = false;

  constructor(
    private readonly store: ExceptionsStore,
    private readonly rpc: RpcClient,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.tick(), TICK_MS);
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  async tick(now = new Date().toISOString()): Promise<void> {
    if (this.ticking) return;
    this.ticking = true;
    try {
      const due = await this.rpc.request<Array<{ streamId: string }>>(Subjects.ledger.dueTimers, { kinds: ['exception-sla'], now, limit: 200 });
      for (const t of due) await this.store.execute(t.streamId.slice('exception-'.length), { type: 'Tick' }, 'timer', now).catch((e) => this.logger.warn(`${t.streamId}: ${(e as Error).message}`));
    } catch (error) {
      this.logger.warn(`SLA timers paused: ${(error as Error).message}`);
    } finally {
      this.ticking = false;
    }
  }
}
