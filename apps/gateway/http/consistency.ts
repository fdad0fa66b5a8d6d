import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { LedgerHeaders, rememberRecent, refuse, Subjects, WorkgateError, Written } from '@workgate/contracts';
import { RpcClient } from '@workgate/messaging';
import { RequestWithPrincipal } from './auth.guard';
import { RouteSetting } from './route-settings';

/** The header a read names the position it must see with (docs/api.md, Conventions (read your writes)). */
export const MIN_POSITION_HEADER = 'workgate-min-position';
/** How long a read waits for the views to catch up before it answers 503 `not_caught_up`. */
export const CATCH_UP_MS = 5_000;
const POLL_MS = 10;
const PRINCIPALS_KEPT = 10_000;

const READS_VIEWS = new RouteSetting<boolean>('workgate:reads-views');

/** The route answers from the views (projections of the ledger): it waits for the position the caller must see. */
export const ReadsViews = (): MethodDecorator & ClassDecorator => READS_VIEWS.decorate(true);

/** Whether a route waits for the views (for the API document). */
export function readsViewsRoute(handler: object, controller: object): boolean {
  return !!READS_VIEWS.of(handler, controller);
}

/** A write's reply: its answer and the ledger position of its commit. */
export function isWritten(value: unknown): value is Written<unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    'answer' in value &&
    'position' in value &&
    typeof value.position === 'number' &&
    Object.keys(value).length === 2
  );
}

/**
 * Reading your own writes (docs/api.md, Conventions (read your writes)). Every 2xx write answers its answer with the ledger
 * position of its commit in `Workgate-Position`, remembered as the caller's last write
 * (`answered`, as the answer goes out). A read of the views waits (this guard), bounded, until they
 * have caught up to `Workgate-Min-Position` or, without it, to the caller's last write; reads of a
 * stream (a work order, an approval, a receipt) read the ledger itself and need no wait.
 */
@Injectable()
export class Consistency implements CanActivate {
  private readonly lastWrite = new Map<string, number>();
  /** The views' checkpoint as last read. */
  private caughtUpTo = 0;
  private polling?: Promise<void>;

  constructor(private readonly rpc: RpcClient) {}

  canActivate(context: ExecutionContext): true | Promise<true> {
    if (context.getType() !== 'http') return true;
    if (!READS_VIEWS.in(context)) return true;
    const position = this.minPosition(context.switchToHttp().getRequest<RequestWithPrincipal>());
    return position <= this.caughtUpTo ? true : this.untilCaughtUp(position).then(() => true);
  }

  /** A write's answer as it goes out: its position in `Workgate-Position`, remembered as the caller's last write; the body is the answer alone. */
  answered(req: RequestWithPrincipal, reply: FastifyReply, written: Written<unknown>): unknown {
    reply.header(LedgerHeaders.position, String(written.position));
    if (req.principal && written.position > (this.lastWrite.get(req.principal.id) ?? 0))
      rememberRecent(this.lastWrite, req.principal.id, written.position, PRINCIPALS_KEPT);
    return written.answer;
  }

  /** The position a read must see: the header's, else the caller's last write. */
  private minPosition(req: RequestWithPrincipal): number {
    const header = req.headers[MIN_POSITION_HEADER];
    if (header === undefined) return (req.principal && this.lastWrite.get(req.principal.id)) || 0;
    if (typeof header !== 'string' || !/^\d{1,15}$/.test(header.trim())) {
      throw refuse('validation_failed', 'Workgate-Min-Position must be a ledger position (a whole number)', [
        { path: 'header:Workgate-Min-Position', message: 'must be a whole number' },
      ]);
    }
    return Number(header.trim());
  }

  /** Resolves once the views hold every event up to `position`; 503 `not_caught_up` after CATCH_UP_MS. */
  async untilCaughtUp(position: number): Promise<void> {
    const until = Date.now() + CATCH_UP_MS;
    while (this.caughtUpTo < position) {
      if (Date.now() > until) {
        throw new WorkgateError(
          'not_caught_up',
          `the views have reached ledger position ${this.caughtUpTo}, not yet ${position}; retry shortly`,
          [{ position: this.caughtUpTo, wanted: position, retryAfterSeconds: 1 }],
        );
      }
      // Every waiting read shares one poll of the checkpoint.
      this.polling ??= this.poll().finally(() => (this.polling = undefined));
      await this.polling;
    }
  }

  /** The views' checkpoint, as the ledger answers it (the table is the ledger's). */
  private async poll(): Promise<void> {
    await new Promise((r) => setTimeout(r, POLL_MS));
    const { position } = await this.rpc.request(Subjects.ledger.viewsPosition, {}, { timeoutMs: CATCH_UP_MS });
    this.caughtUpTo = Math.max(this.caughtUpTo, position);
  }
}
