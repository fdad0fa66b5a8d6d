import { Injectable } from '@nestjs/common';
import { DueTimer, idOfStream, TimerKinds } from '@workgate/contracts';
import { approvals, delegations, postReviews } from '@workgate/domain';
import { DueTimerScheduler, handle, RpcClient } from '@workgate/messaging';
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
      return handle(this.approvals, id, (state, clock) => approvals.decide({ type: 'ExpireApproval' }, state, clock), {
        actor: 'timer',
        now,
      });
    if (t.kind === TimerKinds.postReviewOverdue)
      return handle(this.postReviews, id, (state, clock) => postReviews.decide({ type: 'Tick' }, state, clock), {
        actor: 'timer',
        now,
      });
    return handle(this.delegations, id, (state, clock) => delegations.decide({ type: 'Tick' }, state, clock), {
      actor: 'timer',
      now,
    });
  }
}
