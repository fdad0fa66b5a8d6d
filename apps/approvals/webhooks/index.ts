import { WebhookDispatcher } from './webhook-dispatcher';
import { WebhookReactions } from './webhooks.reaction';
import { WebhookStore } from './webhook.store';
import { WebhooksService } from './webhooks.service';

export { WebhooksController } from './webhooks.controller';

/** Webhooks for people: subscriptions, deliveries from the ledger's notifications, and their attempts. */
export const WEBHOOK_PROVIDERS = [WebhookStore, WebhooksService, WebhookReactions, WebhookDispatcher];
