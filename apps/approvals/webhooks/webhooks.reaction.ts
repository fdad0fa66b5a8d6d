import { Injectable } from '@nestjs/common';
import { RecordedEvent } from '@workgate/contracts';
import { deterministicUuid } from '@workgate/domain';
import {
  LedgerConsumers,
  firstEventOf,
  holdsText,
  LedgerReaction,
  LedgerReactions,
  Outcome,
  RpcClient,
} from '@workgate/messaging';
import { NOTIFICATION_SOURCES, NotificationSource, notificationOf } from './notifications';
import { wants } from './subscriptions';
import { WebhookStore } from './webhook.store';

/**
 * After commit: every ledger event that means a notification becomes one delivery per webhook
 * that wants it, due at once. The delivery id (the `webhook-id`) derives from the event and the
 * webhook, so a redelivered event records nothing twice; the event is acked only once its
 * deliveries are stored, so each notification is delivered at least once.
 */
@Injectable()
export class WebhookReactions extends LedgerReactions {
  constructor(
    consumers: LedgerConsumers,
    private readonly store: WebhookStore,
    private readonly rpc: RpcClient,
  ) {
    super(consumers, 'approvals');
  }

  protected reactions(): LedgerReaction[] {
    return NOTIFICATION_SOURCES.map((source) => ({
      durable: `approvals-webhooks-${source.stream}-${source.type}`,
      subject: source.subject,
      // Of the decisions, only stops notify.
      ...(source.type === 'ActionDecided' ? { mayConcern: holdsText('"decision":"stop"') } : {}),
      react: (e) => this.enqueue(e, source),
    }));
  }

  private async enqueue(e: RecordedEvent, source: NotificationSource): Promise<Outcome> {
    const existing = await this.store.subscriptions(e.recordedAt);
    // Nobody to tell (the common case while a new consumer reads the ledger's history): no more work.
    if (existing.length === 0) return { kind: 'ack' };
    const origin = source.needsOrigin ? await firstEventOf(this.rpc, e.streamId) : undefined;
    const n = notificationOf(e, origin);
    if (!n) return { kind: 'ack' };
    const body = JSON.stringify(n.payload);
    const subscribers = existing.filter((s) => wants(s, n.type, n.to));
    await this.store.enqueue(
      subscribers.map((s) => ({
        id: deterministicUuid('webhook', e.eventId, s.id),
        subscriptionId: s.id,
        type: n.type,
        body,
      })),
    );
    return { kind: 'ack' };
  }
}
