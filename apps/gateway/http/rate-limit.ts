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
 * The rate limit of the HTTP edge: `limitPerMinute` requests per minute per principal (or IP).
 * Import `module`; provide `guard` as an APP_GUARD (it needs PRINCIPALS).
 */
export function rateLimitModule(limitPerMinute: number = DEFAULT_RATE_LIMIT_PER_MINUTE): {
  module: DynamicModule;
  guard: Type<PrincipalThrottlerGuard>;
} {
  if (!Number.isInteger(limitPerMinute) || limitPerMinute < 1) throw new Error('the rate limit must be a positive integer of requests per minute');
  return {
    module: ThrottlerModule.forRoot({ throttlers: [{ name: 'default', ttl: MINUTE_MS, limit: limitPerMinute }] }),
    guard: PrincipalThrottlerGuard,
  };
}
