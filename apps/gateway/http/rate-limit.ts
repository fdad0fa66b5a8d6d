import { CanActivate, DynamicModule, ExecutionContext, Inject, Injectable, Module, SetMetadata, Type } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { WorkgateError } from '@workgate/contracts';
import { PRINCIPALS, principalOf } from './auth.guard';
import type { PrincipalDirectory } from './principals';
import { routeSetting } from './route-settings';

/** Requests per minute per principal (or per client IP without a valid key) when WORKGATE_RATE_LIMIT_PER_MINUTE is unset. */
export const DEFAULT_RATE_LIMIT_PER_MINUTE = 6000;

const MINUTE_MS = 60_000;
const SKIP = 'workgate:skip-rate-limit';
/** Provider token of the rate limit in force: requests per minute and their counter. */
const RATE_LIMIT = Symbol('workgate:rate-limit');

/** The route is not counted (health probes, metrics scrapes, static pages). */
export const SkipRateLimit = (): MethodDecorator & ClassDecorator => SetMetadata(SKIP, true);

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
 * The rate limit of the HTTP edge, counted per principal: the principal id when the request
 * carries a valid API key (resolved from PRINCIPALS, whatever the guard order), else the client
 * IP; one budget per principal across all routes. Every counted answer says
 * `X-RateLimit-Limit`, `X-RateLimit-Remaining` and `X-RateLimit-Reset` (seconds); over the budget
 * the request is refused as WorkgateError('rate_limited') (429 through GatewayErrorFilter) with
 * `Retry-After`. Only HTTP is counted: the gateway's NATS handlers pass.
 */
@Injectable()
export class RateLimitGuard implements CanActivate {
  constructor(
    @Inject(RATE_LIMIT) private readonly limit: { perMinute: number; counter: SlidingWindowCounter },
    @Inject(PRINCIPALS) private readonly principals: PrincipalDirectory,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    if (routeSetting<boolean>(SKIP, context)) return true;
    const http = context.switchToHttp();
    const req = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const principal = principalOf(req, this.principals);
    const limit = this.limit.perMinute;
    const hit = this.limit.counter.increment(principal ? `principal:${principal.id}` : `ip:${req.ip}`, MINUTE_MS, limit);
    reply.header('X-RateLimit-Limit', limit);
    reply.header('X-RateLimit-Remaining', Math.max(0, limit - hit.totalHits));
    reply.header('X-RateLimit-Reset', hit.timeToExpire);
    if (!hit.isBlocked) return true;
    reply.header('Retry-After', hit.timeToBlockExpire);
    const who = principal ? 'this principal' : 'this client';
    throw new WorkgateError('rate_limited', `${who} sent more than ${limit} requests in ${MINUTE_MS / 1000} s; retry after ${hit.timeToBlockExpire} s`);
  }
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

  increment(key: string, ttl: number, limit: number): { totalHits: number; timeToExpire: number; isBlocked: boolean; timeToBlockExpire: number } {
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
  guard: Type<RateLimitGuard>;
} {
  if (!Number.isInteger(limitPerMinute) || limitPerMinute < 1) throw new Error('the rate limit must be a positive integer of requests per minute');
  const provider = { provide: RATE_LIMIT, useValue: { perMinute: limitPerMinute, counter: new SlidingWindowCounter() } };
  return { module: { module: RateLimitModule, providers: [provider], exports: [provider], global: true }, guard: RateLimitGuard };
}

@Module({})
class RateLimitModule {}
