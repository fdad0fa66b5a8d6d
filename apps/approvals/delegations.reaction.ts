import { Inject, Injectable } from '@nestjs/common';
import { NatsConnection } from 'nats';
import { dataOf, InboxMessage, ledgerEventSubject, Notification, RecordedEvent } from '@workgate/contracts';
import { maskStrings } from '@workgate/domain';
import {
  DeadLetterSink,
  LedgerReaction,
  LedgerReactions,
  NATS_CONNECTION,
  NoticeBus,
  Outcome,
} from '@workgate/messaging';

/**
 * After commit: a dispatched delegation is delivered to the recipient's durable inbox
 * (`workgate.inbox.<recipient>`, Nats-Msg-Id = dispatch id); reminders and the hard timeout
 * notify the owner that completion was not confirmed.
 */
@Injectable()
export class DelegationReactions extends LedgerReactions {
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
        durable: 'approvals-inbox-delivery',
        subject: ledgerEventSubject('delegation', 'DelegationDispatched'),
        react: (e) => this.deliver(e),
      },
      {
        durable: 'approvals-notify-reminders',
        subject: ledgerEventSubject('delegation', 'DelegationReminderDue'),
        react: (e) => this.remind(e),
      },
      {
        durable: 'approvals-notify-timeouts',
        subject: ledgerEventSubject('delegation', 'DelegationTimedOut'),
        react: (e) => this.timedOut(e),
      },
    ];
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

  private notify(n: Notification): Outcome {
    this.notices.notify(n);
    return { kind: 'ack' };
  }

  private remind(e: RecordedEvent): Outcome {
    const d = dataOf(e, 'delegation', 'DelegationReminderDue');
    const message = `delegation ${d.dispatchId} to ${d.recipient}: completion not confirmed yet (reminder ${d.n + 1})`;
    return this.notify({
      kind: 'delegation-reminder',
      to: d.notify,
      at: e.occurredAt,
      workOrderId: d.workOrderId,
      ref: d.dispatchId,
      message,
    });
  }

  private timedOut(e: RecordedEvent): Outcome {
    const d = dataOf(e, 'delegation', 'DelegationTimedOut');
    const message = `${d.reason}: remote completion was not confirmed; the work order is stopped`;
    return this.notify({
      kind: 'delegation-timed-out',
      to: d.notify,
      at: e.occurredAt,
      workOrderId: d.workOrderId,
      ref: d.dispatchId,
      message,
    });
  }
}
