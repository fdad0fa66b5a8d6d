import { Inject, Injectable } from '@nestjs/common';
import { NatsConnection } from 'nats';
import { dataOf, ledgerEventSubject, Notification, notifySubject, RecordedEvent } from '@workgate/contracts';
import {
  DeadLetterSink,
  encodeJson,
  LedgerReaction,
  LedgerReactions,
  NATS_CONNECTION,
  Outcome,
} from '@workgate/messaging';

/** An approval request and an overdue post-review notify their owner on `workgate.notify.<principal>`. */
@Injectable()
export class NotificationReactions extends LedgerReactions {
  constructor(@Inject(NATS_CONNECTION) nc: NatsConnection, sink: DeadLetterSink) {
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
    this.nc.publish(notifySubject(n.to), encodeJson(n));
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
