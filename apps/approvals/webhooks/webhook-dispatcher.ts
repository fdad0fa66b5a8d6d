import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { WorkgateConfig } from '@workgate/config';
import { attemptResult, parseBackoff } from './backoff';
import { signedHeaders } from './signature';
import { webhookDeliveries } from './webhook.metrics';
import { DueDelivery, WebhookStore } from './webhook.store';
import { sendWebhook, shownUrl } from './webhook-sender';

/** How often due deliveries are looked for, how many attempts may be under way at once in one instance, and to one webhook. */
const TICK_MS = 500;
const IN_FLIGHT = 20;
const PER_WEBHOOK = 4;

/**
 * Attempts the deliveries that are due, signed per Standard Webhooks: a 2xx answer delivers, any
 * other outcome is tried again after the backoff schedule's next delay, and after its last one the
 * delivery is a dead letter. Due times live in Postgres, so retries survive a restart; several
 * instances share the work (each delivery is leased to one attempt at a time). One webhook has at
 * most a few attempts under way in an instance, so a receiver that hangs until the time-out holds
 * up only its own deliveries, not everyone's.
 */
@Injectable()
export class WebhookDispatcher implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('webhooks');
  private readonly schedule: number[];
  private readonly timeoutMs: number;
  private readonly allowPrivate: boolean;
  private readonly stopping = new AbortController();
  private readonly inFlight = new Set<Promise<void>>();
  /** Attempts under way per webhook. */
  private readonly perWebhook = new Map<string, number>();
  private timer?: NodeJS.Timeout;
  private ticking?: Promise<void>;

  constructor(
    private readonly store: WebhookStore,
    @Inject(WorkgateConfig) config: WorkgateConfig,
  ) {
    this.schedule = parseBackoff(config.WORKGATE_WEBHOOK_BACKOFF_MS);
    this.timeoutMs = config.WORKGATE_WEBHOOK_TIMEOUT_MS;
    this.allowPrivate = config.WORKGATE_WEBHOOK_ALLOW_PRIVATE === '1';
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      this.ticking ??= this.tick().finally(() => (this.ticking = undefined));
    }, TICK_MS);
  }

  /**
   * Stops taking deliveries; attempts under way are cut short and due again at once (for the next
   * start or another instance). Before shutdown, while the store can still record that.
   */
  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    this.stopping.abort();
    await this.ticking;
    await Promise.all(this.inFlight);
  }

  /** Takes what is due, as far as there is room, and starts its attempts. */
  private async tick(): Promise<void> {
    const room = IN_FLIGHT - this.inFlight.size;
    if (room <= 0 || this.stopping.signal.aborted) return;
    try {
      // A lease past the attempt's time-out: an instance that dies mid-attempt leaves it due again soon.
      for (const d of await this.store.takeDue(room, this.timeoutMs + 5_000, PER_WEBHOOK, this.perWebhook)) {
        const webhook = d.subscription.id;
        this.perWebhook.set(webhook, (this.perWebhook.get(webhook) ?? 0) + 1);
        const attempt: Promise<void> = this.attempt(d)
          .catch((error: Error) =>
            this.logger.warn(
              `webhook ${webhook} delivery ${d.id}: its attempt was not recorded (${error.message}); it is due again when its lease ends`,
            ),
          )
          .finally(() => {
            this.inFlight.delete(attempt);
            const left = (this.perWebhook.get(webhook) ?? 1) - 1;
            if (left > 0) this.perWebhook.set(webhook, left);
            else this.perWebhook.delete(webhook);
          });
        this.inFlight.add(attempt);
      }
    } catch (error) {
      this.logger.warn(`webhook deliveries paused: ${(error as Error).message}`);
    }
  }

  private async attempt(d: DueDelivery): Promise<void> {
    const at = new Date();
    const sent = await sendWebhook(d.subscription.url, signedHeaders(d.subscription.secret, d.id, at, d.body), d.body, {
      timeoutMs: this.timeoutMs,
      allowPrivate: this.allowPrivate,
      signal: this.stopping.signal,
    });
    if (this.stopping.signal.aborted) return this.store.releaseLease(d.id);
    const result = attemptResult(sent, d.attempts + 1, this.schedule, at, new Date());
    if (result.outcome !== 'delivered') {
      const dead = result.outcome === 'dead' ? '; it is a dead letter now' : '';
      this.logger.warn(
        `webhook ${d.subscription.id} delivery ${d.id} to ${shownUrl(new URL(d.subscription.url))}: attempt ${d.attempts + 1} failed (${result.error})${dead}`,
      );
    }
    // Another attempt of the same delivery recorded first (a manual retry meanwhile): that one counts.
    if (await this.store.recordAttempt(d, result))
      webhookDeliveries.inc({ outcome: result.outcome === 'retry' ? 'failed' : result.outcome });
  }
}
