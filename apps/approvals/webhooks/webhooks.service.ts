import { Inject, Injectable } from '@nestjs/common';
import {
  CreatedWebhook,
  CreateWebhookRequest,
  refuse,
  requireUuid,
  WebhookDelivery,
  WebhookView,
} from '@workgate/contracts';
import { WorkgateConfig } from '@workgate/config';
import { unknownEntries } from './subscriptions';
import { WebhookStore } from './webhook.store';
import { vetUrl } from './webhook-sender';

/** A 422 naming the field of the request that is wrong. */
const invalid = (path: string, message: string) =>
  refuse('validation_failed', `${path} ${message}`, [{ path, message }]);

/** Subscriptions and their deliveries, as admins and ops leads manage them. */
@Injectable()
export class WebhooksService {
  private readonly allowPrivate: boolean;

  constructor(
    private readonly store: WebhookStore,
    @Inject(WorkgateConfig) config: WorkgateConfig,
  ) {
    this.allowPrivate = config.WORKGATE_WEBHOOK_ALLOW_PRIVATE === '1';
  }

  /** Subscribes a URL: known notification types only, and (unless allowed) a host that resolves to public addresses only. */
  async create(req: CreateWebhookRequest): Promise<CreatedWebhook> {
    const unknown = unknownEntries(req.events);
    if (unknown.length > 0) throw invalid('events', `names no notification type: ${unknown.join(', ')}`);
    let url: URL;
    try {
      url = new URL(req.url);
    } catch {
      throw invalid('url', 'must be an absolute http: or https: URL');
    }
    const vetted = await vetUrl(url, this.allowPrivate);
    if ('problem' in vetted) throw invalid('url', vetted.problem);
    return this.store.create(
      {
        url: url.toString(),
        events: [...new Set(req.events)],
        ...(req.principals ? { principals: [...new Set(req.principals)] } : {}),
      },
      req.by,
    );
  }

  list(): Promise<WebhookView[]> {
    return this.store.list();
  }

  async get(webhookId: string): Promise<WebhookView> {
    return (await this.store.get(requireUuid(webhookId, 'webhook'))) ?? notFound();
  }

  async delete(webhookId: string): Promise<WebhookView> {
    return (await this.store.delete(requireUuid(webhookId, 'webhook'))) ?? notFound();
  }

  async deliveries(webhookId: string): Promise<WebhookDelivery[]> {
    const id = (await this.get(webhookId)).id;
    return this.store.deliveries(id);
  }

  /** Makes a delivery due now (a dead one included); its attempt follows within a moment. */
  async retry(webhookId: string, deliveryId: string): Promise<WebhookDelivery> {
    const id = (await this.get(webhookId)).id;
    const delivery = requireUuid(deliveryId, 'delivery');
    if (!(await this.store.retryNow(id, delivery)))
      throw refuse('not_found', 'this webhook has no delivery with that id');
    return (await this.store.deliveries(id, delivery))[0];
  }
}

function notFound(): never {
  throw refuse('not_found', 'no webhook has that id');
}
