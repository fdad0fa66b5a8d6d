import { Injectable } from '@nestjs/common';
import { DueTimer } from '@workgate/contracts';
import { DueTimerScheduler, RpcClient } from '@workgate/messaging';
import { ApprovalsService } from './approvals.service';
import { DelegationsStore } from './delegations';
import { PostReviewsStore } from './post-reviews';

/** Approval expiry, overdue post-reviews and delegation reminders / hard timeouts. */
@Injectable()
export class ApprovalTimers extends DueTimerScheduler {
  constructor(
    private readonly approvals: ApprovalsService,
    private readonly postReviews: PostReviewsStore,
    private readonly delegations: DelegationsStore,
    rpc: RpcClient,
  ) {
    super(rpc, ['approval-expiry', 'post-review-overdue', 'delegation'], 'approvals');
  }

  protected fire(t: DueTimer, now: string): Promise<unknown> {
    const id = t.streamId.slice(t.streamId.indexOf('-') + 1);
    if (t.kind === 'approval-expiry') return this.approvals.execute(id, { type: 'ExpireApproval' }, 'timer', now);
    if (t.kind === 'post-review-overdue') return this.postReviews.execute(id, { type: 'Tick' }, 'timer', now);
    return this.delegations.execute(id, { type: 'Tick' }, 'timer', now);
  }
}
