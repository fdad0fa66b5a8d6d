import { Injectable } from '@nestjs/common';
import {
  dataOf,
  EventData,
  EventType,
  InboxMessage,
  ledgerEventSubject,
  Notification,
  RecordedEvent,
  StreamType,
} from '@workgate/contracts';
import { maskStrings } from '@workgate/domain';
import { LedgerConsumers, LedgerReaction, LedgerReactions, NoticeBus, Outcome } from '@workgate/messaging';

/**
 * After commit, what the approvals service tells people. A dispatched delegation is delivered to
 * the recipient's durable inbox (`workgate.inbox.<recipient>`, Nats-Msg-Id = dispatch id). An
 * approval request, an overdue post-review, a delegation's reminders and hard timeout (its
 * completion was not confirmed) notify their owner, and an escalated exception its `escalateTo`,
 * on `workgate.notify.<principal>`.
 */
@Injectable()
export class NotificationReactions extends LedgerReactions {
  constructor(
    consumers: LedgerConsumers,
    private readonly notices: NoticeBus,
  ) {
    super(consumers, 'approvals');
  }

  protected reactions(): LedgerReaction[] {
    return [
      {
        durable: 'approvals-inbox-delivery',
        subject: ledgerEventSubject('delegation', 'DelegationDispatched'),
        react: (e) => this.deliver(e),
      },
      this.notifying('approvals-notify-requests', 'approval', 'ApprovalRequested', (d) => ({
        kind: 'approval-requested',
        to: d.owner,
        workOrderId: d.workOrderId,
        ref: d.approvalId,
        message: `approval ${d.approvalId} waits for you (requested by ${d.requestedBy})`,
      })),
      this.notifying('approvals-notify-overdue', 'postreview', 'PostReviewOverdue', (d) => ({
        kind: 'post-review-overdue',
        to: d.reviewer,
        ref: d.postReviewId,
        message: `post-review ${d.postReviewId} was due at ${d.dueAt}`,
      })),
      this.notifying('approvals-notify-escalations', 'exception', 'ExceptionEscalated', (d) => ({
        kind: 'exception-escalated',
        to: d.escalatedTo,
        workOrderId: d.workOrderId,
        ref: d.exceptionId,
        message: `exception ${d.code} of ${d.owner} is still open past its SLA (due ${d.dueAt}): escalated to you`,
      })),
      this.notifying('approvals-notify-reminders', 'delegation', 'DelegationReminderDue', (d) => ({
        kind: 'delegation-reminder',
        to: d.notify,
        workOrderId: d.workOrderId,
        ref: d.dispatchId,
        message: `delegation ${d.dispatchId} to ${d.recipient}: completion not confirmed yet (reminder ${d.n + 1})`,
      })),
      this.notifying('approvals-notify-timeouts', 'delegation', 'DelegationTimedOut', (d) => ({
        kind: 'delegation-timed-out',
        to: d.notify,
        workOrderId: d.workOrderId,
        ref: d.dispatchId,
        message: `${d.reason}: remote completion was not confirmed; the work order is stopped`,
      })),
    ];
  }

  /**
   * A reaction to each `type` event of a `stream` stream that sends the notification `of` makes of
   * its data, sent at the event's time.
   */
  private notifying<S extends StreamType, T extends EventType<S>>(
    durable: string,
    stream: S,
    type: T,
    of: (d: EventData<S, T>) => Omit<Notification, 'at'>,
  ): LedgerReaction {
    return {
      durable,
      subject: ledgerEventSubject(stream, type),
      react: (e) => {
        // Written as every notification is: its time third.
        const { kind, to, ...rest } = of(dataOf(e, stream, type));
        this.notices.notify({ kind, to, at: e.occurredAt, ...rest });
        return { kind: 'ack' };
      },
    };
  }

  private async deliver(e: RecordedEvent): Promise<Outcome> {
    const d = dataOf(e, 'delegation', 'DelegationDispatched');
    // The delegate gets the prompt masked, as every inbox shows it: credentials reach a delegate through its own configuration.
    const message: InboxMessage = {
      dispatchId: d.dispatchId,
      dispatchCreatedAt: d.dispatchCreatedAt,
      command: d.command,
      workOrderId: d.workOrderId,
      from: d.dispatchedBy,
      prompt: maskStrings(d.prompt),
    };
    await this.notices.deliver(d.recipient, message);
    return { kind: 'ack' };
  }
}
