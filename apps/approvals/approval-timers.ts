import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Subjects, WorkgateError } from '@workgate/contracts';
import { RpcClient } from '@workgate/messaging';
import { ApprovalsService } from './approvals.service';
import { DelegationsStore } from './delegations';
import { PostReviewsStore } from './post-reviews';

const TICK_MS = 500;

interface DueTimer {
  timerId: string;
  kind: string;
  streamId: string;
  dueAt: string;
}

/**
 * Fires due approval timers: due times live in the ledger's timers view, so they survive any
 * restart; the events a timer produces have ids derived from the approval and its version, so
 * with several instances ticking, each timer is recorded once.
 */
@Injectable()
export class ApprovalTimers implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('approvals');
  private timer?: NodeJS.Timeout;
  private ticking = false;

  constructor(
    private readonly approvals: ApprovalsService,
    private readonly postReviews: PostReviewsStore,
    private readonly delegations: DelegationsStore,
    private readonly rpc: RpcClient,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.tick(), TICK_MS);
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  /** One pass: expire every approval whose time is up, mark every overdue post-review. */
  async tick(now = new Date().toISOString()): Promise<number> {
    if (this.ticking) return 0;
    this.ticking = true;
    let fired = 0;
    try {
      const due = await this.rpc.request<DueTimer[]>(Subjects.ledger.dueTimers, { kinds: ['approval-expiry', 'post-review-overdue', 'delegation'], now, limit: 200 });
      for (const t of due) {
        try {
          if (t.kind === 'approval-expiry') await this.approvals.execute(t.streamId.slice('approval-'.length), { type: 'ExpireApproval' }, 'timer', now);
          else if (t.kind === 'post-review-overdue') await this.postReviews.execute(t.streamId.slice('postreview-'.length), { type: 'Tick' }, 'timer', now);
          else await this.delegations.execute(t.streamId.slice('delegation-'.length), { type: 'Tick' }, 'timer', now);
          fired++;
        } catch (error) {
          if ((error as WorkgateError).code !== 'not_due') this.logger.warn(`timer ${t.timerId}: ${(error as Error).message}`);
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
