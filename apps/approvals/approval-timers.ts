import { Injectable } from '@nestjs/common';
import { DueTimer, idOfStream, TimerKinds } from '@workgate/contracts';
import { DueTimerScheduler, RpcClient } from '@workgate/messaging';
import { ApprovalsStore, DelegationsStore, PostReviewsStore } from './stores';

/** Approval expiry, overdue post-reviews and delegation reminders / hard timeouts. */
@Injectable()
export class ApprovalTimers extends DueTimerScheduler {
  constructor(
    private readonly approvals: ApprovalsStore,
    private readonly postReviews: PostReviewsStore,
    private readonly delegations: DelegationsStore,
    rpc: RpcClient,
  ) {
    super(rpc, [TimerKinds.approvalExpiry, TimerKinds.postReviewOverdue, TimerKinds.delegation], 'approvals');
  }

  protected fire(t: DueTimer, now: string): Promise<unknown> {
    const id = idOfStream(t.streamId);
    if (t.kind === TimerKinds.approvalExpiry)
      return this.approvals.execute(id, { type: 'ExpireApproval' }, 'timer', now);
    if (t.kind === TimerKinds.postReviewOverdue) return this.postReviews.execute(id, { type: 'Tick' }, 'timer', now);
    return this.delegations.execute(id, { type: 'Tick' }, 'timer', now);
  }
}
