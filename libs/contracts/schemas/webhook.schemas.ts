import { NOTIFICATION_TYPES } from '../webhooks';
import type * as C from '../webhooks';
import { array, component, described, documents, int, object, oneOf, str, strings, time } from './json-schema';

/** What the webhook routes answer. */
const webhook = { id: str, url: str, events: strings, createdAt: time, createdBy: str };

export const WebhookView = component(
  'WebhookView',
  documents<C.WebhookView>()(object(webhook, { principals: strings })),
);

export const CreatedWebhook = component(
  'CreatedWebhook',
  documents<C.CreatedWebhook>()(
    object(webhook, {
      principals: strings,
      secret: described(
        { type: 'string', pattern: '^whsec_[A-Za-z0-9+/]+={0,2}$' },
        'the signing secret (Standard Webhooks), shown only in the first answer: absent from a replay with the same Idempotency-Key',
      ),
    }),
  ),
);

export const WebhookDelivery = component(
  'WebhookDelivery',
  documents<C.WebhookDelivery>()(
    object(
      {
        deliveryId: described(str, 'also the `webhook-id` of every attempt'),
        type: oneOf(...NOTIFICATION_TYPES),
        status: oneOf('pending', 'delivered', 'dead'),
        attempts: array(object({ at: time }, { status: int, error: str })),
        createdAt: time,
      },
      { nextAttemptAt: time },
    ),
  ),
);
