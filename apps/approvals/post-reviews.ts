import { Inject, Injectable } from '@nestjs/common';
import { NatsConnection } from 'nats';
import {
  ApprovalEvents,
  BreakGlassUsedData,
  encodeNotification,
  ledgerSubject,
  Notification,
  notifySubject,
  PostReviewEvents,
  postReviewStream,
  PostReviewView,
  RecordedEvent,
  WorkgateError,
  WorkOrderEvents,
} from '@workgate/contracts';
import { decidePostReview, deterministicUuid, evolvePostReview, initialPostReviewState, PostReviewCommand, PostReviewEvent, PostReviewState } from '@workgate/domain';
import { AggregateStore, DeadLetterSink, LedgerReaction, LedgerReactions, NATS_CONNECTION, Outcome, RpcClient } from '@workgate/messaging';

/** Post-reviews as aggregates over the ledger (`postreview-<id>`). */
@Injectable()
export class PostReviewsStore extends AggregateStore<PostReviewState, PostReviewCommand, PostReviewEvent> {
  constructor(rpc: RpcClient) {
    super(rpc, {
      streamOf: postReviewStream,
      initial: initialPostReviewState,
      evolve: evolvePostReview,
      decide: decidePostReview,
      eventId: (id, version, type) => deterministicUuid('post-review', id, String(version), type),
    });
  }
}

export function postReviewView(state: PostReviewState): PostReviewView {
  if (state.status === 'none') throw new WorkgateError('not_found', 'no such post-review');
  const { status, postReviewId, workOrderId, exceptionId, reviewer, dueAt, overdueNotified } = state;
  return { postReviewId, status, workOrderId, exceptionId, reviewer, dueAt, overdueNotified };
}

/**
 * Reactions of the approvals service to the ledger: break-glass opens its post-review; an
 * approval request and an overdue post-review notify their owner on `workgate.notify.<principal>`.
 */
@Injectable()
export class GovernanceReactions extends LedgerReactions {
  constructor(
    private readonly postReviews: PostReviewsStore,
    @Inject(NATS_CONNECTION) nc: NatsConnection,
    sink: DeadLetterSink,
  ) {
    super(nc, sink, 'approvals');
  }

  protected reactions(): LedgerReaction[] {
    return [
      { durable: 'approvals-break-glass', subject: ledgerSubject('workorder-x', WorkOrderEvents.BreakGlassUsed), react: (e) => this.openPostReview(e) },
      { durable: 'approvals-notify-requests', subject: ledgerSubject('approval-x', ApprovalEvents.Requested), react: (e) => this.notifyRequested(e) },
      { durable: 'approvals-notify-overdue', subject: ledgerSubject('postreview-x', PostReviewEvents.Overdue), react: (e) => this.notifyOverdue(e) },
    ];
  }

  private async openPostReview(e: RecordedEvent): Promise<Outcome> {
    const d = e.data as unknown as BreakGlassUsedData;
    await this.postReviews.execute(
      d.postReviewId,
      { type: 'CreatePostReview', postReviewId: d.postReviewId, workOrderId: d.workOrderId, exceptionId: d.exceptionId, reviewer: d.reviewer, dueAt: d.postReviewDueAt },
      'approvals',
      e.occurredAt,
    );
    return { kind: 'ack' };
  }

  private notify(n: Notification): Outcome {
    this.nc.publish(notifySubject(n.to), encodeNotification(n));
    return { kind: 'ack' };
  }

  private async notifyRequested(e: RecordedEvent): Promise<Outcome> {
    const d = e.data as { approvalId: string; owner: string; workOrderId: string; requestedBy: string };
    return this.notify({ kind: 'approval-requested', to: d.owner, at: e.occurredAt, workOrderId: d.workOrderId, ref: d.approvalId, message: `approval ${d.approvalId} waits for you (requested by ${d.requestedBy})` });
  }

  private async notifyOverdue(e: RecordedEvent): Promise<Outcome> {
    const d = e.data as { postReviewId: string; reviewer: string; dueAt: string };
    return this.notify({ kind: 'post-review-overdue', to: d.reviewer, at: e.occurredAt, ref: d.postReviewId, message: `post-review ${d.postReviewId} was due at ${d.dueAt}` });
  }
}
