import { createHash, randomUUID } from 'node:crypto';
import {
  CanActivate,
  ExecutionContext,
  Injectable,
  Logger,
  OnApplicationShutdown,
  OnModuleInit,
  SetMetadata,
} from '@nestjs/common';
import { HTTP_CODE_METADATA } from '@nestjs/common/constants';
import { Reflector } from '@nestjs/core';
import type { FastifyReply } from 'fastify';
import { canonicalize, refuse, Written } from '@workgate/contracts';
import { RequestWithPrincipal } from './auth.guard';
import { IdempotencyAnswersRepository, RESERVATION_RENEW_MS } from './idempotency-answers.repository';

export const IDEMPOTENCY_HEADER = 'idempotency-key';
/** Set on an answer that is the replay of a first one. */
export const REPLAYED_HEADER = 'Idempotent-Replayed';
/** How long a key is remembered (at least; it is pruned hourly after that). */
export const IDEMPOTENCY_RETENTION_DAYS = 7;
const PRUNE_EVERY_MS = 60 * 60 * 1000;
const KEY = /^[\x21-\x7e]{1,255}$/;
const SHOWN_ONCE = 'workgate:shown-once';
/** How long a request waits for another of this gateway with the same key to be answered (a write's own time-outs are shorter). */
const HOLD_MS = 60_000;
/** A request waiting for another gateway's answer on its key looks again after this, doubling up to LONGEST_PAUSE_MS. */
const FIRST_PAUSE_MS = 5;
const LONGEST_PAUSE_MS = 200;

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
  for (const name of Object.keys(req.headers)
    .filter((h) => h.startsWith('ce-'))
    .sort())
    hash.update(`\n${name}:${String(req.headers[name])}`);
  return hash.digest('hex');
}

/**
 * The kept answer of a write sent again with its Idempotency-Key, and the status it answered with.
 * The Idempotency guard throws it to end the request with that answer (the one way Nest lets a
 * guard answer); GatewayErrorFilter sends it, marked `Idempotent-Replayed: true`.
 */
export class KeptAnswer extends Error {
  constructor(
    readonly reply: Written<unknown>,
    readonly status: number,
  ) {
    super('answered as this Idempotency-Key was answered first');
    this.name = 'KeptAnswer';
  }
}

/** What a write sent with an Idempotency-Key keeps once it is answered, and whether it did. */
interface ToKeep {
  principal: string;
  key: string;
  /** This request, as the holder of the key's reservation. */
  holder: string;
  shownOnce: string[];
  kept: boolean;
  /** The route has answered (its answer kept, or a refusal): the request's handling has settled. */
  answered: boolean;
  /** Gives the key back; set when the caller went away before the route answered, which then calls it. */
  abandoned?: () => void;
  /** Renews the reservation's lease while the write runs; stopped once it has answered. */
  renewing?: NodeJS.Timeout;
}
const TO_KEEP = Symbol('workgate:idempotency');
type KeyedRequest = RequestWithPrincipal & { [TO_KEEP]?: ToKeep };

/**
 * Idempotency-Key on every write (docs/api.md, Conventions (idempotency)). The first 2xx answer of a write sent with a key
 * is kept per principal and key, with a fingerprint of the request (`keep`, as the answer goes
 * out); a replay answers it again (`Idempotent-Replayed: true`) and writes nothing, the same key
 * with another request is 422 `idempotency_key_reused`. A refused write wrote nothing, so it is not
 * kept: the request may be corrected and sent again with the same key. Work-order commands are
 * also recognised by the command id the key derives, so a retry after an answer that was lost on
 * the way still records once. Concurrent requests with one key take turns, in a gateway (no round
 * trip) and across the gateways of a deployment (the database decides: the first reserves the key
 * before it writes, the others wait for its answer), so they see the first one's answer: one write,
 * the rest replay it or are 422. A guard after authentication: the key belongs to the principal.
 */
@Injectable()
export class Idempotency implements CanActivate, OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('idempotency');
  private pruning?: NodeJS.Timeout;
  /** Keys a request of this gateway is answering, by principal and key. */
  private readonly holders = new Map<string, Promise<void>>();

  constructor(
    private readonly answers: IdempotencyAnswersRepository,
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
      throw refuse('validation_failed', 'Idempotency-Key is 1 to 255 visible ASCII characters', [
        { path: 'header:Idempotency-Key', message: 'must be 1 to 255 visible ASCII characters' },
      ]);
    }
    const principal = req.principal.id;
    const print = fingerprint(req);
    const holder = randomUUID();
    // Requests with the same key take turns: in this gateway first (no round trip), then across gateways through the database.
    return this.turn(`${principal}\n${header}`).then(async (releaseTurn) => {
      try {
        const kept = await this.reserve(principal, header, print, holder);
        if (kept) {
          if (kept.fingerprint !== print) {
            throw refuse(
              'idempotency_key_reused',
              'this Idempotency-Key was used for a different request; use a new key for a new request',
              [{ path: 'header:Idempotency-Key', message: 'was used for a different method, path or body' }],
            );
          }
          throw new KeptAnswer(
            kept.reply,
            this.reflector.get<number | undefined>(HTTP_CODE_METADATA, context.getHandler()) ?? 201,
          );
        }
      } catch (error) {
        releaseTurn();
        throw error;
      }
      const shownOnce = this.reflector.get<string[] | undefined>(SHOWN_ONCE, context.getHandler()) ?? [];
      const toKeep: ToKeep = { principal, key: header, holder, shownOnce, kept: false, answered: false };
      req[TO_KEEP] = toKeep;
      toKeep.renewing = setInterval(() => void this.renew(toKeep), RESERVATION_RENEW_MS);
      toKeep.renewing.unref();
      // The answer is kept before it is sent: once it is out, the next may look. An answer that kept nothing (a refused write)
      // gives the key back first. A caller gone before the route answered does not free the key while its write runs: the
      // route's answer does (`answered`), kept for a retry to replay, or given back if the write was refused.
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        clearInterval(toKeep.renewing);
        void this.giveBack(toKeep).finally(releaseTurn);
      };
      const answer = context.switchToHttp().getResponse<FastifyReply>().raw;
      const closed = () => (answer.writableEnded || toKeep.answered ? release() : (toKeep.abandoned = release));
      if (answer.destroyed) closed();
      else answer.once('close', closed);
      return true as const;
    });
  }

  /**
   * Reserves the key for this request (undefined: it writes), or waits while another request (of
   * any gateway) holds it and answers what that one kept. The wait is bounded by the reservation's
   * lease: a holder whose gateway died renews it no more, and is taken over RESERVATION_LEASE_MS
   * after its last renewal.
   */
  private async reserve(
    principal: string,
    key: string,
    print: string,
    holder: string,
  ): Promise<{ fingerprint: string; reply: Written<unknown> } | undefined> {
    for (let pause = FIRST_PAUSE_MS; ; pause = Math.min(pause * 2, LONGEST_PAUSE_MS)) {
      if (await this.answers.reserve(principal, key, print, holder)) return undefined;
      const row = await this.answers.find(principal, key);
      if (row?.reply) return { fingerprint: row.fingerprint, reply: row.reply };
      // Held by a request of another gateway (or given back just now: then reserve again at once).
      if (row) await new Promise((resolve) => setTimeout(resolve, pause));
    }
  }

  /**
   * Waits until no other request of this gateway holds `slot` (a principal's key), then holds it:
   * the answer releases it. Concurrent requests with one key of one gateway thus wait here rather
   * than polling the database.
   */
  private async turn(slot: string): Promise<() => void> {
    for (let held = this.holders.get(slot); held; held = this.holders.get(slot)) {
      // A holder that never answers (it should not happen) holds the key for HOLD_MS at most.
      let timer: NodeJS.Timeout | undefined;
      const late = await Promise.race([
        held.then(() => false),
        new Promise<boolean>((r) => (timer = setTimeout(() => r(true), HOLD_MS))),
      ]);
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
    const { principal, key, holder, shownOnce } = toKeep;
    const kept = shownOnce.length ? { ...written, answer: withoutFields(written.answer, shownOnce) } : written;
    try {
      toKeep.kept = await this.answers.keep(principal, key, holder, kept);
      if (!toKeep.kept)
        this.logger.warn(
          `the answer for an Idempotency-Key of ${principal} was not kept: its reservation expired and was taken over`,
        );
    } catch (error) {
      // The write is committed: it answers. A replay then finds no kept answer, and the command id the key derives still records once.
      this.logger.warn(`the answer for an Idempotency-Key of ${principal} was not kept: ${(error as Error).message}`);
    }
  }

  /** The route has answered `req` (after `keep`): a request whose caller went away meanwhile now gives its key back or keeps its answer. */
  answered(req: KeyedRequest): void {
    const toKeep = req[TO_KEEP];
    if (!toKeep) return;
    toKeep.answered = true;
    toKeep.abandoned?.();
  }

  /** Renews a reservation while its write runs, so no other request takes it over (a failed renewal is tried again next time). */
  private async renew(toKeep: ToKeep): Promise<void> {
    if (toKeep.kept) return;
    await this.answers.renew(toKeep.principal, toKeep.key, toKeep.holder).catch(() => undefined);
  }

  /** Gives a key back that its request answered without keeping anything, so a corrected request may use it. */
  private async giveBack(toKeep: ToKeep): Promise<void> {
    if (toKeep.kept) return;
    try {
      await this.answers.release(toKeep.principal, toKeep.key, toKeep.holder);
    } catch (error) {
      // Its lease is no longer renewed: it is free RESERVATION_LEASE_MS after the last renewal.
      this.logger.warn(`an Idempotency-Key of ${toKeep.principal} was not given back: ${(error as Error).message}`);
    }
  }

  private async prune(): Promise<void> {
    try {
      await this.answers.prune(IDEMPOTENCY_RETENTION_DAYS);
    } catch (error) {
      this.logger.warn(`pruning kept Idempotency-Key answers failed: ${(error as Error).message}`);
    }
  }
}

function withoutFields(answer: unknown, fields: string[]): unknown {
  if (answer === null || typeof answer !== 'object') return answer;
  return Object.fromEntries(Object.entries(answer).filter(([k]) => !fields.includes(k)));
}
