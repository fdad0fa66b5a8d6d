import { createHash } from 'node:crypto';
import { DynamicModule, ExecutionContext, Inject, Injectable, Type } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import {
  InjectThrottlerOptions,
  InjectThrottlerStorage,
  ThrottlerGuard,
  ThrottlerLimitDetail,
  ThrottlerModule,
  ThrottlerModuleOptions,
  ThrottlerStorage,
} from '@nestjs/throttler';
import { WorkgateError } from '@workgate/contracts';
import { PRINCIPALS, principalOf } from './auth.guard';
import type { PrincipalDirectory } from './principals';

/** Requests per minute per principal (or per client IP without a valid key) when WORKGATE_RATE_LIMIT_PER_MINUTE is unset. */
export const DEFAULT_RATE_LIMIT_PER_MINUTE = 6000;

const MINUTE_MS = 60_000;

/**
 * Reads WORKGATE_RATE_LIMIT_PER_MINUTE from `env` (default 6000). Throws naming the variable
 * when it is not a positive integer.
 */
export function rateLimitPerMinute(env: NodeJS.ProcessEnv | Record<string, string | undefined>): number {
  const raw = env.WORKGATE_RATE_LIMIT_PER_MINUTE;
  if (raw === undefined || raw === '') return DEFAULT_RATE_LIMIT_PER_MINUTE;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new Error('WORKGATE_RATE_LIMIT_PER_MINUTE must be a positive integer');
  return value;
}

/**
 * @nestjs/throttler's guard, counted per principal: the tracker is the principal id when the
 * request carries a valid API key (resolved here from PRINCIPALS, whatever the guard order),
 * else the client IP. One budget per principal across all routes. A refusal is a
 * WorkgateError('rate_limited') (429 through GatewayErrorFilter) with a Retry-After header.
 * Only HTTP is counted: the gateway's NATS handlers pass.
 */
@Injectable()
export class PrincipalThrottlerGuard extends ThrottlerGuard {
  constructor(
    @InjectThrottlerOptions() options: ThrottlerModuleOptions,
    @InjectThrottlerStorage() storage: ThrottlerStorage,
    reflector: Reflector,
    @Inject(PRINCIPALS) private readonly principals: PrincipalDirectory,
  ) {
    super(options, storage, reflector);
  }

  protected override async shouldSkip(context: ExecutionContext): Promise<boolean> {
    return context.getType() !== 'http';
  }

  protected override async getTracker(req: Record<string, any>): Promise<string> {
    const principal = principalOf(req as { headers: Record<string, string | undefined> }, this.principals);
    return principal ? `principal:${principal.id}` : `ip:${await super.getTracker(req)}`;
  }

  /** One key per tracker, not per route: the limit is the principal's whole budget. */
  protected override generateKey(_context: ExecutionContext, tracker: string, name: string): string {
    return createHash('sha256').update(`${name}:${tracker}`).digest('hex');
  }

  protected override async throwThrottlingException(_context: ExecutionContext, detail: ThrottlerLimitDetail): Promise<void> {
    const who = detail.tracker.startsWith('principal:') ? 'this principal' : 'this client';
    throw new WorkgateError(
      'rate_limited',
      `${who} sent more than ${detail.limit} requests in ${Math.round(detail.ttl / 1000)} s; retry after ${detail.timeToBlockExpire} s`,
    );
  }
}

/**
 * Requests counted per key in constant time and memory, whatever the rate: the count of the
 * current window and of the one before it, the latter weighted by how much of it still lies in
 * the last `ttl` (a sliding-window estimate). The throttler's own storage keeps one timestamp per
 * request and filters them on every request, which at thousands of requests a minute costs more
 * than the request itself.
 */
export class SlidingWindowCounter implements ThrottlerStorage {
  private readonly windows = new Map<string, { start: number; count: number; previous: number; ttl: number }>();
  private swept = 0;
  /** The latest time seen: a clock set back does not move the windows back. */
  private latest = 0;

  constructor(private readonly clock: () => number = Date.now) {}

  async increment(key: string, ttl: number, limit: number): Promise<Awaited<ReturnType<ThrottlerStorage['increment']>>> {
    const now = (this.latest = Math.max(this.latest, this.clock()));
    // Keys idle for two of their windows are dropped once a minute (client IPs come and go).
    if (now - this.swept >= MINUTE_MS) this.dropIdle(now);
    let w = this.windows.get(key);
    if (!w) this.windows.set(key, (w = { start: now - (now % ttl), count: 0, previous: 0, ttl }));
    const passed = Math.floor((now - w.start) / ttl);
    if (passed > 0) {
      w.previous = passed === 1 ? w.count : 0;
      w.count = 0;
      w.start += passed * ttl;
    }
    const intoWindow = now - w.start;
    const weight = 1 - intoWindow / ttl;
    const isBlocked = w.count + w.previous * weight >= limit;
    if (!isBlocked) w.count++;
    const timeToExpire = Math.ceil((ttl - intoWindow) / 1000);
    return {
      totalHits: Math.ceil(w.count + w.previous * weight) + (isBlocked ? 1 : 0),
      timeToExpire,
      isBlocked,
      timeToBlockExpire: isBlocked ? Math.max(1, Math.ceil(this.untilUnder(w, ttl, limit, intoWindow) / 1000)) : 0,
    };
  }

  /**
   * Milliseconds until the estimate falls under `limit`. The count never passes the limit (a
   * blocked request is not counted), so a full window waits for its end; otherwise the previous
   * window's weight fades linearly.
   */
  private untilUnder(w: { count: number; previous: number }, ttl: number, limit: number, intoWindow: number): number {
    if (w.count >= limit) return ttl - intoWindow + 1;
    return w.previous > 0 ? ttl * (1 - (limit - w.count) / w.previous) - intoWindow + 1 : 1;
  }

  private dropIdle(now: number): void {
    this.swept = now;
    for (const [key, w] of this.windows) if (now - w.start >= 2 * w.ttl) this.windows.delete(key);
  }
}

/**
 * The rate limit of the HTTP edge: `limitPerMinute` requests per minute per principal (or IP).
 * Import `module`; provide `guard` as an APP_GUARD (it needs PRINCIPALS).
 */
export function rateLimitModule(limitPerMinute: number = DEFAULT_RATE_LIMIT_PER_MINUTE): {
  module: DynamicModule;
  guard: Type<PrincipalThrottlerGuard>;
} {
  if (!Number.isInteger(limitPerMinute) || limitPerMinute < 1) throw new Error('the rate limit must be a positive integer of requests per minute');
  return {
    module: ThrottlerModule.forRoot({ throttlers: [{ name: 'default', ttl: MINUTE_MS, limit: limitPerMinute }], storage: new SlidingWindowCounter() }),
    guard: PrincipalThrottlerGuard,
  };
}
