import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import {
  CreatedWebhook,
  CreateWebhookRequest,
  DeliveryIdRequest,
  Empty,
  Subjects,
  WebhookDelivery,
  WebhookIdRequest,
  WebhookView,
} from '@workgate/contracts';
import { Serves } from '@workgate/messaging';
import { WebhooksService } from './webhooks.service';

/** Webhook subscriptions and their deliveries over NATS (the gateway's `/v1/webhooks` routes). */
@Controller()
export class WebhooksController {
  constructor(private readonly webhooks: WebhooksService) {}

  @Serves(Subjects.approvals.createWebhook)
  create(@Payload() req: CreateWebhookRequest): Promise<CreatedWebhook> {
    return this.webhooks.create(req);
  }

  @Serves(Subjects.approvals.listWebhooks)
  list(@Payload() _req: Empty): Promise<WebhookView[]> {
    return this.webhooks.list();
  }

  @Serves(Subjects.approvals.getWebhook)
  get(@Payload() req: WebhookIdRequest): Promise<WebhookView> {
    return this.webhooks.get(req?.webhookId);
  }

  @Serves(Subjects.approvals.deleteWebhook)
  delete(@Payload() req: WebhookIdRequest): Promise<WebhookView> {
    return this.webhooks.delete(req?.webhookId);
  }

  @Serves(Subjects.approvals.listDeliveries)
  deliveries(@Payload() req: WebhookIdRequest): Promise<WebhookDelivery[]> {
    return this.webhooks.deliveries(req?.webhookId);
  }

  @Serves(Subjects.approvals.retryDelivery)
  retry(@Payload() req: DeliveryIdRequest): Promise<WebhookDelivery> {
    return this.webhooks.retry(req?.webhookId, req?.deliveryId);
  }
}
