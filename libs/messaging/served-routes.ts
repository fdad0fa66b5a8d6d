import { Logger } from '@nestjs/common';
import { NatsConnection, Subscription } from 'nats';
import { RpcContract, WorkgateError } from '@workgate/contracts';
import { LocalRoutes } from './local-routes';
import { contextOf, inSpan, SpanKind, tracingEnabled } from './tracing';
import { decodeJson, encodeJson, isInboxReply, replyError } from './wire';

/** A handler bound to the request/reply contract it serves: it takes the contract's request and answers its reply. */
export interface ServedRoute {
  subject: string;
  handle: (payload: unknown) => Promise<unknown>;
  /** false: answered in this process only (LocalRoutes, other threads), never subscribed on NATS. */
  overNats: boolean;
  /** false: answered over NATS only (callers in this process have a route of their own). */
  inProcess: boolean;
}

/**
 * What `@Serves` declares on a controller, for routes that come and go while the process runs (the
 * ledger's appends, served only while this instance is the writer): a handler typed by its contract.
 */
export function serves<Req, Res>(
  contract: RpcContract<Req, Res>,
  handler: (request: Req) => Promise<Res>,
  options: { overNats?: boolean; inProcess?: boolean } = {},
): ServedRoute {
  // The request is the contract's: its sender encoded a `Req` (the handler checks what it must).
  const handle = (payload: unknown) => handler(payload as Req);
  return {
    subject: contract.subject,
    handle,
    overNats: options.overNats !== false,
    inProcess: options.inProcess !== false,
  };
}

/**
 * Routes served on demand, in the service's queue group and in this process (LocalRoutes), the
 * way the Nest transport serves `@Serves` handlers: the caller's trace, JSON in and out, errors
 * as their stable code. `stop` drains the subscriptions and removes the local routes.
 */
export class ServedRoutes {
  private readonly logger: Logger;
  private subscriptions: Subscription[] = [];
  private local: ServedRoute[] = [];

  constructor(
    private readonly nc: NatsConnection,
    private readonly queue: string,
    private readonly routes: ServedRoute[],
  ) {
    this.logger = new Logger(queue);
  }

  private serving = false;

  start(): void {
    if (this.serving) return;
    this.serving = true;
    this.local = this.routes.filter((r) => r.inProcess);
    for (const route of this.local) LocalRoutes.register(route.subject, route.handle);
    this.subscriptions = this.routes.filter((r) => r.overNats).map((r) => this.subscribe(r));
  }

  async stop(): Promise<void> {
    this.serving = false;
    for (const route of this.local) LocalRoutes.unregister(route.subject, route.handle);
    this.local = [];
    const subscriptions = this.subscriptions;
    this.subscriptions = [];
    await Promise.all(subscriptions.map((s) => s.drain().catch(() => undefined)));
  }

  private subscribe(route: ServedRoute): Subscription {
    const attributes = { 'workgate.service': this.queue, 'messaging.destination.name': route.subject };
    return this.nc.subscribe(route.subject, {
      queue: this.queue,
      callback: (err, msg) => {
        if (err) return void this.logger.error(`${route.subject} subscription: ${err.message}`);
        const answer = () => this.answer(route, msg.data, msg.reply, (bytes) => msg.respond(bytes));
        if (!tracingEnabled()) return void answer();
        // In the caller's trace (its context travels in the request's headers).
        const parent = contextOf(msg.headers?.get('traceparent') || undefined);
        void inSpan(route.subject, { kind: SpanKind.SERVER, parent, attributes }, answer);
      },
    });
  }

  private async answer(
    route: ServedRoute,
    data: Uint8Array,
    reply: string | undefined,
    respond: (bytes: Uint8Array) => void,
  ): Promise<void> {
    let answer: unknown;
    try {
      answer = { ok: true, data: await route.handle(decodeJson(data)) };
    } catch (error) {
      answer = replyError(
        error instanceof SyntaxError ? new WorkgateError('validation_failed', 'the request is not valid JSON') : error,
      );
    }
    if (isInboxReply(reply)) respond(encodeJson(answer));
  }
}
