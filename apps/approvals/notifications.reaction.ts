import { Inject, Injectable } from '@nestjs/common';
import { NatsConnection } from 'nats';
import { dataOf, ledgerEventSubject, Notification, RecordedEvent } from '@workgate/contracts';
import {
  DeadLetterSink,
  LedgerReaction,
  LedgerReactions,
  NATS_CONNECTION,
  NoticeBus,
  Outcome,
} from '@workgate/messaging';

/** An approval request and an overdue post-review notify their owner on `workgate.notify.<principal>`. */
@Injectable()
export class NotificationReactions extends LedgerReactions {
  constructor(
    @Inject(NATS_CONNECTION) nc: NatsConnection,
    sink: DeadLetterSink,
    private readonly notices: NoticeBus,
  ) {
    super(nc, sink, 'approvals');
  }

  protected reactions(): LedgerReaction[] {
    return [
      {
        durable: 'approvals-notify-requests',
        subject: ledgerEventSubject('approval', 'ApprovalRequested'),
        react: (e) => this.notifyRequested(e),
      },
      {
        durable: 'approvals-notify-overdue',
        subject: ledgerEventSubject('postreview', 'PostReviewOverdue'),
        react: (e) => this.notifyOverdue(e),
      },
    ];
  }

  private notify(n: Notification): Outcome {
    this.notices.notify(n);
    return { kind: 'ack' };
  }

  private async notifyRequested(e: RecordedEvent): Promise<Outcome> {
    const d = dataOf(e, 'approval', 'ApprovalRequested');
    return this.notify({
      kind: 'approval-requested',
      to: d.owner,
      at: e.occurredAt,
      workOrderId: d.workOrderId,
      ref: d.approvalId,
      message: `approval ${d.approvalId} waits for you (requested by ${d.requestedBy})`,
    });
  }

  private async notifyOverdue(e: RecordedEvent): Promise<Outcome> {
    const d = dataOf(e, 'postreview', 'PostReviewOverdue');
    return this.notify({
      kind: 'post-review-overdue',
      to: d.reviewer,
      at: e.occurredAt,
      ref: d.postReviewId,
      message: `post-review ${d.postReviewId} was due at ${d.dueAt}`,
    });
  }
}
