import { createHash } from 'node:crypto';
import { CanActivate, ExecutionContext, Injectable, Logger, OnApplicationShutdown, OnModuleInit, SetMetadata } from '@nestjs/common';
import { HTTP_CODE_METADATA } from '@nestjs/common/constants';
import { Reflector } from '@nestjs/core';
import type { FastifyReply } from 'fastify';
import { canonicalize, refuse, Written } from '@workgate/contracts';
import { GatewayDatabase } from '../gateway-database';
import { RequestWithPrincipal } from './auth.guard';

export const IDEMPOTENCY_HEADER = 'idempotency-key';
/** Set on an answer that is the replay of a first one. */
export const REPLAYED_HEADER = 'Idempotent-Replayed';
/** How long a key is remembered (at least; it is pruned hourly after that). */
export const IDEMPOTENCY_RETENTION_DAYS = 7;
const PRUNE_EVERY_MS = 60 * 60 * 1000;
const KEY = /^[\x21-\x7e]{1,255}$/;
const SHOWN_ONCE = 'workgate:shown-once';
/** How long a request waits for another with the same key to be answered (a write's own time-outs are shorter). */
const HOLD_MS = 60_000;

/**
 * Fields of the route's answer that are shown once and never kept (a webhook's signing secret):
 * a replay of the write answers without them.
 */
export const ShownOnce = (...fields: [string, ...string[]]): MethodDecorator => SetMetadata(SHOWN_ONCE, fields);

/** What makes two requests "the same": method, path and query, the body, and the CloudEvents attributes sent as headers. */
function fingerprint(req: RequestWithPrincipal): string {
  const hash = createHash('sha256').update(`${req.method} ${req.url}\n`);
  const body: unknown = req.body;
  if (Buffer.isBuffer(body) || typeof body === 'string') hash.update(body);
  else if (body !== undefined) hash.update(canonicalize(body));
  for (const name of Object.keys(req.headers).filter((h) => h.startsWith('ce-')).sort()) hash.update(`\n${name}:${String(req.headers[name])}`);
  return hash.digest('hex');
}

/**
 * The kept answer of a write sent again with its Idempotency-Key, and the status it answered with.
 * The Idempotency guard throws it to end the request with that answer (the one way Nest lets a
 * guard answer); GatewayErrorFilter sends it, marked `Idempotent-Replayed: true`.
 */
export class KeptAnswer {
  constructor(
    readonly reply: Written<unknown>,
    readonly status: number,
  ) {}
}

/** What a write sent with an Idempotency-Key keeps once it is answered. */
interface ToKeep {
  principal: string;
  key: string;
  print: string;
  shownOnce: string[];
}
const TO_KEEP = Symbol('workgate:idempotency');
type KeyedRequest = RequestWithPrincipal & { [TO_KEEP]?: ToKeep };

/**
 * Idempotency-Key on every write (SPEC section 3). The first 2xx answer of a write sent with a key
 * is kept per principal and key, with a fingerprint of the request (`keep`, as the answer goes
 * out); a replay answers it again (`Idempotent-Replayed: true`) and writes nothing, the same key
 * with another request is 422 `idempotency_key_reused`. A refused write wrote nothing, so it is not
 * kept: the request may be corrected and sent again with the same key. Work-order commands are
 * also recognised by the command id the key derives, so a retry after an answer that was lost on
 * the way still records once. Requests with the same key take turns in a gateway, so concurrent
 * ones see the first one's answer: one write, the rest replay it or are 422. A guard after
 * authentication: the key belongs to the principal.
 */
@Injectable()
export class Idempotency implements CanActivate, OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('idempotency');
  private pruning?: NodeJS.Timeout;
  /** Keys a request of this gateway is answering, by principal and key. */
  private readonly holders = new Map<string, Promise<void>>();

  constructor(
    private readonly db: GatewayDatabase,
    private readonly reflector: Reflector,
  ) {}

  onModuleInit(): void {
    this.pruning = setInterval(() => void this.prune(), PRUNE_EVERY_MS);
    this.pruning.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.pruning);
  }

  canActivate(context: ExecutionContext): true | Promise<true> {
    if (context.getType() !== 'http') return true;
    const req = context.switchToHttp().getRequest<KeyedRequest>();
    const header = req.headers[IDEMPOTENCY_HEADER];
    if (req.method !== 'POST' || header === undefined || !req.principal) return true;
    if (typeof header !== 'string' || !KEY.test(header)) {
      throw refuse('validation_failed', 'Idempotency-Key is 1 to 255 visible ASCII characters', [{ path: 'header:Idempotency-Key', message: 'must be 1 to 255 visible ASCII characters' }]);
    }
    const principal = req.principal.id;
    const print = fingerprint(req);
    // Requests with the same key take turns: the first is answered (and its answer kept) before the next looks.
    return this.turn(`${principal}\n${header}`).then(async (release) => {
      try {
        const kept = await this.first(principal, header);
        if (kept) {
          if (kept.fingerprint !== print) {
            throw refuse('idempotency_key_reused', 'this Idempotency-Key was used for a different request; use a new key for a new request', [
              { path: 'header:Idempotency-Key', message: 'was used for a different method, path or body' },
            ]);
          }
          throw new KeptAnswer(kept.reply, this.reflector.get<number | undefined>(HTTP_CODE_METADATA, context.getHandler()) ?? 201);
        }
      } catch (error) {
        release();
        throw error;
      }
      req[TO_KEEP] = { principal, key: header, print, shownOnce: this.reflector.get<string[] | undefined>(SHOWN_ONCE, context.getHandler()) ?? [] };
      // The answer is kept before it is sent: once it is out (or the caller is gone), the next may look.
      const answer = context.switchToHttp().getResponse<FastifyReply>().raw;
      if (answer.destroyed) release();
      else answer.once('close', release);
      return true as const;
    });
  }

  /**
   * Waits until no other request of this gateway holds `slot` (a principal's key), then holds it:
   * the answer releases it. Concurrent requests with one key thus see the first one's kept answer
   * (a replay, or 422 for another body) instead of racing it to the ledger.
   */
  private async turn(slot: string): Promise<() => void> {
    for (let held = this.holders.get(slot); held; held = this.holders.get(slot)) {
      // A holder that never answers (it should not happen) holds the key for HOLD_MS at most.
      let timer: NodeJS.Timeout | undefined;
      const late = await Promise.race([held.then(() => false), new Promise<boolean>((r) => (timer = setTimeout(() => r(true), HOLD_MS)))]);
      clearTimeout(timer);
      if (late && this.holders.get(slot) === held) this.holders.delete(slot);
    }
    let release!: () => void;
    const holding = new Promise<void>((resolve) => {
      release = () => {
        if (this.holders.get(slot) === holding) this.holders.delete(slot);
        resolve();
      };
    });
    this.holders.set(slot, holding);
    return release;
  }

  /** Keeps a write's answer when its request carried an Idempotency-Key (a POST that answers without a ledger position wrote nothing). */
  async keep(req: KeyedRequest, written: Written<unknown>): Promise<void> {
    const toKeep = req[TO_KEEP];
    if (!toKeep) return;
    const { principal, key, print, shownOnce } = toKeep;
    const kept = shownOnce.length ? { ...written, answer: withoutFields(written.answer, shownOnce) } : written;
    try {
      // A concurrent first request with the same key may have kept its answer meanwhile: the first kept stays.
      await this.db.pool.query('INSERT INTO idempotency_answers (principal, key, fingerprint, reply) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING', [principal, key, print, JSON.stringify(kept)]);
    } catch (error) {
      // The write is committed: it answers. A replay then finds no kept answer, and the command id the key derives still records once.
      this.logger.warn(`the answer for an Idempotency-Key of ${principal} was not kept: ${(error as Error).message}`);
    }
  }

  private async first(principal: string, key: string): Promise<{ fingerprint: string; reply: Written<unknown> } | undefined> {
    const { rows } = await this.db.pool.query<{ fingerprint: string; reply: Written<unknown> }>('SELECT fingerprint, reply FROM idempotency_answers WHERE principal = $1 AND key = $2', [principal, key]);
    return rows[0];
  }

  private async prune(): Promise<void> {
    try {
      await this.db.pool.query(`DELETE FROM idempotency_answers WHERE created_at < now() - interval '${IDEMPOTENCY_RETENTION_DAYS} days'`);
    } catch (error) {
      this.logger.warn(`pruning kept Idempotency-Key answers failed: ${(error as Error).message}`);
    }
  }
}

function withoutFields(answer: unknown, fields: string[]): unknown {
  if (answer === null || typeof answer !== 'object') return answer;
  return Object.fromEntries(Object.entries(answer).filter(([k]) => !fields.includes(k)));
}
