import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import {
  CreatedWebhook,
  CreateWebhookDto,
  Subjects,
  WebhookDelivery,
  WebhookView,
  WorkgateError,
  Written,
} from '@workgate/contracts';
import { RpcClient } from '@workgate/messaging';
import { Documented } from '../openapi';
import { CurrentPrincipal, Principal, Roles, ShownOnce } from '../http';

const uuid = new ParseUUIDPipe({ exceptionFactory: () => new WorkgateError('not_found', 'no such id') });

/**
 * Webhooks for people (docs/api.md, Webhooks): notifications signed per Standard Webhooks, retried, then
 * kept as dead letters. Their writes are not ledger writes: each answers Workgate-Position 0.
 */
@ApiTags('webhooks')
@Controller('v1/webhooks')
export class WebhooksController {
  constructor(private readonly rpc: RpcClient) {}

  /** A replay with the same Idempotency-Key answers the same webhook, without its secret (never kept). */
  @Post()
  @Roles('admin')
  @ShownOnce('secret')
  @Documented(
    'Subscribe a URL to notifications',
    'CreatedWebhook',
    'The `secret` (`whsec_…`) signs every delivery and is shown only in this answer (a replay with the same Idempotency-Key answers the same webhook without it: delete it and create another if the secret was lost). `events`: notification types, dotted prefixes of them or `*`. The URL must be http: or https: and resolve to public addresses only (422 naming `url` otherwise, unless WORKGATE_WEBHOOK_ALLOW_PRIVATE=1).',
  )
  async create(@Body() body: CreateWebhookDto, @CurrentPrincipal() p: Principal): Promise<Written<CreatedWebhook>> {
    return { answer: await this.rpc.request(Subjects.approvals.createWebhook, { ...body, by: p.id }), position: 0 };
  }

  @Get()
  @Roles('admin')
  @Documented('The webhooks', ['WebhookView'], 'Oldest first; never their secrets.')
  list(): Promise<WebhookView[]> {
    return this.rpc.request(Subjects.approvals.listWebhooks, {});
  }

  @Get(':id')
  @Roles('admin')
  @Documented('A webhook', 'WebhookView', 'Never its secret.')
  get(@Param('id', uuid) id: string): Promise<WebhookView> {
    return this.rpc.request(Subjects.approvals.getWebhook, { webhookId: id });
  }

  @Delete(':id')
  @Roles('admin')
  @Documented('Delete a webhook', 'WebhookView', 'Nothing more is sent to it; its deliveries are deleted with it.')
  async delete(@Param('id', uuid) id: string): Promise<Written<WebhookView>> {
    return { answer: await this.rpc.request(Subjects.approvals.deleteWebhook, { webhookId: id }), position: 0 };
  }

  @Get(':id/deliveries')
  @Roles('admin', 'ops-lead')
  @Documented(
    "A webhook's deliveries",
    ['WebhookDelivery'],
    'Newest first (the last 100), each with its attempts: `pending` (with its next attempt), `delivered` or `dead` (a dead letter: every retry failed).',
  )
  deliveries(@Param('id', uuid) id: string): Promise<WebhookDelivery[]> {
    return this.rpc.request(Subjects.approvals.listDeliveries, { webhookId: id });
  }

  @Post(':id/deliveries/:deliveryId/retry')
  @Roles('admin')
  @HttpCode(202)
  @Documented(
    'Send a delivery again now',
    'WebhookDelivery',
    'Takes no body. A dead letter included; the attempt follows within a moment, with the same `webhook-id`.',
  )
  async retry(
    @Param('id', uuid) id: string,
    @Param('deliveryId', uuid) deliveryId: string,
  ): Promise<Written<WebhookDelivery>> {
    return {
      answer: await this.rpc.request(Subjects.approvals.retryDelivery, { webhookId: id, deliveryId }),
      position: 0,
    };
  }
}
