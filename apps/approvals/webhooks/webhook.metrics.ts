import { counter } from '@workgate/messaging';

/** Webhook attempts by what became of them: `delivered` (2xx), `failed` (a retry follows), `dead` (the last retry failed: a dead letter). */
export const webhookDeliveries = counter({
  name: 'workgate_webhook_deliveries_total',
  help: 'Webhook delivery attempts by outcome',
  labelNames: ['outcome'],
});

// Every outcome is exported from the start, at 0 until it happens.
for (const outcome of ['delivered', 'failed', 'dead']) webhookDeliveries.inc({ outcome }, 0);
