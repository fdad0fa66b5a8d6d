/** Webhooks for people (docs/api.md, Webhooks): subscriptions, the notifications they receive, their deliveries. */
import { ArrayMaxSize, ArrayMinSize, IsArray, IsOptional, IsString, Matches, MaxLength } from 'class-validator';

/** Every notification type a webhook can subscribe to; lower-case and dotted. */
export const NOTIFICATION_TYPES = [
  'approval.requested',
  'approval.reminder',
  'approval.decided',
  'approval.approver_decided',
  'approval.expired',
  'post_review.due',
  'post_review.overdue',
  'exception.raised',
  'exception.sla_breached',
  'exception.escalated',
  'delegation.dispatched',
  'delegation.reminder',
  'delegation.timed_out',
  'decision.stopped',
] as const;
export type NotificationType = (typeof NOTIFICATION_TYPES)[number];

/** The JSON body of every webhook: what happened, when (RFC 3339), and its ids, owners, due times and message. */
export interface WebhookPayload {
  type: NotificationType;
  timestamp: string;
  data: Record<string, unknown> & { message: string };
}

export class CreateWebhookDto {
  /** Where to POST: an `http:` or `https:` URL of a public address. */
  @IsString() @MaxLength(2000) url: string;
  /** Notification types, dotted prefixes of them (`approval`), or `*`. */
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(50)
  @IsString({ each: true })
  @MaxLength(100, { each: true })
  events: string[];
  /** Only notifications addressed to these principals (an owner, reviewer or recipient). */
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  @Matches(/^[A-Za-z0-9][A-Za-z0-9_.@-]{0,99}$/, { each: true, message: 'each principal must be a principal id' })
  principals?: string[];
}

export interface CreateWebhookRequest extends CreateWebhookDto {
  by: string;
}

/** A subscription as listed: never its secret. */
export interface WebhookView {
  id: string;
  url: string;
  events: string[];
  principals?: string[];
  createdAt: string;
  createdBy: string;
}

/** The answer of a subscription's creation: the one time its secret is shown. */
export interface CreatedWebhook extends WebhookView {
  /** `whsec_` + base64 of the signing key (Standard Webhooks). */
  secret: string;
}

export type DeliveryStatus = 'pending' | 'delivered' | 'dead';

export interface DeliveryAttempt {
  at: string;
  /** The receiver's HTTP status, when it answered. */
  status?: number;
  /** Why the attempt failed, when it did (no answer, a non-2xx status, a refused address). */
  error?: string;
}

export interface WebhookDelivery {
  /** Also the `webhook-id` header: the same for every attempt of one notification to one webhook. */
  deliveryId: string;
  type: NotificationType;
  status: DeliveryStatus;
  attempts: DeliveryAttempt[];
  nextAttemptAt?: string;
  createdAt: string;
}

export interface WebhookIdRequest {
  webhookId: string;
}

export interface DeliveryIdRequest extends WebhookIdRequest {
  deliveryId: string;
}
