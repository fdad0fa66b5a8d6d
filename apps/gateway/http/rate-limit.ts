import { DynamicModule, Module } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { DEFAULT_ANONYMOUS_BYTES_PER_MINUTE, DEFAULT_RATE_LIMIT_PER_MINUTE } from '@workgate/config';
import { WorkgateError } from '@workgate/contracts';
import { RouteSetting } from './route-settings';

const MINUTE_MS = 60_000;
const SKIP = new RouteSetting<boolean>('workgate:skip-rate-limit');
/** Provider token of the rate limits in force (RateLimits). */
export const RATE_LIMITS = Symbol('workgate:rate-limits');

/** The route is not counted (health probes, metrics scrapes, static pages). */
export const SkipRateLimit = (): MethodDecorator & ClassDecorator => SKIP.decorate(true);

/** What a counted request may cost, and what it has cost: requests per principal (or address), bytes per address without a key. */
export interface RateLimits {
  perMinute: number;
  anonymousBytesPerMinute: number;
  counter: SlidingWindowCounter;
  bytes: SlidingWindowCounter;
}

/**
 * Counts a request against the rate limit of the HTTP edge (the gateway's `onRequest` gate, before
 * its body is read): one budget of requests per principal across all routes (the client IP
 * without a valid key), and for a caller without a valid key a budget of the body bytes it
 * declares (`Content-Length`) per IP. Every counted answer says `X-RateLimit-Limit`,
 * `X-RateLimit-Remaining` and `X-RateLimit-Reset` (seconds); over a budget the request is refused
 * as WorkgateError('rate_limited') (429) with `Retry-After`.
 */
export function countRequest(
  limits: RateLimits,
  req: FastifyRequest,
  reply: FastifyReply,
  principal: { id: string } | undefined,
  declaredBytes: number,
): WorkgateError | undefined {
  const limit = limits.perMinute;
  const hit = limits.counter.increment(principal ? `principal:${principal.id}` : `ip:${req.ip}`, MINUTE_MS, limit);
  reply.header('X-RateLimit-Limit', limit);
  reply.header('X-RateLimit-Remaining', Math.max(0, limit - hit.totalHits));
  reply.header('X-RateLimit-Reset', hit.timeToExpire);
  if (hit.isBlocked) {
    reply.header('Retry-After', hit.timeToBlockExpire);
    const who = principal ? 'this principal' : 'this client';
    return new WorkgateError(
      'rate_limited',
      `${who} sent more than ${limit} requests in ${MINUTE_MS / 1000} s; retry after ${hit.timeToBlockExpire} s`,
    );
  }
  if (principal || declaredBytes === 0) return undefined;
  const bytes = limits.bytes.increment(`ip:${req.ip}`, MINUTE_MS, limits.anonymousBytesPerMinute, declaredBytes);
  if (!bytes.isBlocked) return undefined;
  reply.header('Retry-After', bytes.timeToBlockExpire);
  return new WorkgateError(
    'rate_limited',
    `this client sent more than ${limits.anonymousBytesPerMinute} bytes without an API key in ${MINUTE_MS / 1000} s; retry after ${bytes.timeToBlockExpire} s`,
  );
}

/** Whether a route counts against the rate limit (not `@SkipRateLimit()`). */
export function rateLimitedRoute(handler: object, controller: object): boolean {
  return !SKIP.of(handler, controller);
}

/**
 * Requests counted per key in constant time and memory, whatever the rate: the count of the
 * current window and of the one before it, the latter weighted by how much of it still lies in
 * the last `ttl` (a sliding-window estimate): a busy key costs no more per request than an idle one.
 */
export class SlidingWindowCounter {
  private readonly windows = new Map<string, { start: number; count: number; previous: number; ttl: number }>();
  private swept = 0;
  /** The latest time seen: a clock set back does not move the windows back. */
  private latest = 0;

  constructor(private readonly clock: () => number = Date.now) {}

  /** Counts `cost` (1: a request; n: bytes) for `key`, unless its budget is already spent. */
  increment(
    key: string,
    ttl: number,
    limit: number,
    cost = 1,
  ): { totalHits: number; timeToExpire: number; isBlocked: boolean; timeToBlockExpire: number } {
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
    if (!isBlocked) w.count += cost;
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

  /** Whether a window is kept for `key` (a key idle for two of its windows is dropped). */
  tracks(key: string): boolean {
    return this.windows.has(key);
  }

  private dropIdle(now: number): void {
    this.swept = now;
    for (const [key, w] of this.windows) if (now - w.start >= 2 * w.ttl) this.windows.delete(key);
  }
}

/**
 * The rate limit of the HTTP edge: `limitPerMinute` requests per minute per principal (or IP), and
 * `anonymousBytesPerMinute` declared body bytes per minute per IP without a valid key. Import
 * `module`; the edge's gate (`configureHttpEdge`) counts every request with it.
 */
export function rateLimitModule(
  limitPerMinute: number = DEFAULT_RATE_LIMIT_PER_MINUTE,
  anonymousBytesPerMinute: number = DEFAULT_ANONYMOUS_BYTES_PER_MINUTE,
): DynamicModule {
  if (!Number.isInteger(limitPerMinute) || limitPerMinute < 1)
    throw new Error('the rate limit must be a positive integer of requests per minute');
  if (!Number.isInteger(anonymousBytesPerMinute) || anonymousBytesPerMinute < 1)
    throw new Error('the anonymous byte budget must be a positive integer of bytes per minute');
  const limits: RateLimits = {
    perMinute: limitPerMinute,
    anonymousBytesPerMinute,
    counter: new SlidingWindowCounter(),
    bytes: new SlidingWindowCounter(),
  };
  const provider = { provide: RATE_LIMITS, useValue: limits };
  return { module: RateLimitModule, providers: [provider], exports: [provider], global: true };
}

@Module({})
class RateLimitModule {}
