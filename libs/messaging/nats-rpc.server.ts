import { Logger } from '@nestjs/common';
import { BaseRpcContext, CustomTransportStrategy, MessageHandler, MessagePattern, Server } from '@nestjs/microservices';
import { MsgHdrs, NatsConnection, Subscription } from 'nats';
import { lastValueFrom } from 'rxjs';
import { RpcContract, WorkgateError } from '@workgate/contracts';
import { LocalRoutes } from './local-routes';
import { contextOf, inSpan, SpanKind, tracingEnabled } from './tracing';
import { decodeJson, encodeJson, isInboxReply, replyError } from './wire';

/** What a handler can learn about the message it serves. */
export class NatsRpcContext extends BaseRpcContext<[string, MsgHdrs | undefined]> {
  getSubject(): string {
    return this.args[0];
  }
  getHeaders(): MsgHdrs | undefined {
    return this.args[1];
  }
}

/**
 * Nest transport over the process's shared NATS connection. Every pattern is subscribed in a
 * queue group named after the service, so instances share the work; replies carry either the
 * result or the error's stable code and message.
 */
export class NatsRpcServer extends Server implements CustomTransportStrategy {
  private readonly subscriptions: Subscription[] = [];
  protected override readonly logger: Logger;

  constructor(
    private readonly nc: NatsConnection,
    private readonly queue: string,
  ) {
    super();
    this.logger = new Logger(`${queue}:nats`);
  }

  private readonly locals: Array<[string, (payload: unknown) => Promise<unknown>]> = [];

  listen(callback: () => void): void {
    for (const [pattern, handler] of this.messageHandlers) {
      const attributes = { 'workgate.service': this.queue, 'messaging.destination.name': pattern };
      if (!handler.isEventHandler) {
        const local = (payload: unknown) =>
          inSpan(pattern, { kind: SpanKind.SERVER, attributes }, async () => {
            const ctx = new NatsRpcContext([pattern, undefined]);
            const answered: unknown = await handler(payload, ctx);
            return lastValueFrom<unknown, undefined>(this.transformToObservable(answered), { defaultValue: undefined });
          });
        LocalRoutes.register(pattern, local);
        this.locals.push([pattern, local]);
      }
      const sub = this.nc.subscribe(pattern, {
        queue: this.queue,
        callback: (err, msg) => {
          if (err) {
            this.logger.error(`subscription ${pattern} failed: ${err.message}`);
            return;
          }
          const respond = (bytes: Uint8Array) => {
            if (isInboxReply(msg.reply)) msg.respond(this.fitting(pattern, bytes));
          };
          if (!tracingEnabled()) return void this.dispatch(pattern, handler, msg.data, msg.headers, respond);
          // The caller's trace context, from the request's headers.
          const parent = contextOf(
            msg.headers?.get('traceparent') || undefined,
            msg.headers?.get('tracestate') || undefined,
          );
          void inSpan(pattern, { kind: SpanKind.SERVER, parent, attributes }, () =>
            this.dispatch(pattern, handler, msg.data, msg.headers, respond),
          );
        },
      });
      this.subscriptions.push(sub);
    }
    callback();
  }

  /**
   * Answers one message with the handler its subscription was made for (found once, at listen:
   * Nest's lookup by pattern tries to parse every pattern as JSON, a thrown error per message).
   */
  private async dispatch(
    pattern: string,
    handler: MessageHandler,
    data: Uint8Array,
    headers: MsgHdrs | undefined,
    respond: (bytes: Uint8Array) => void,
  ): Promise<void> {
    const isEvent = handler.isEventHandler;
    const ctx = new NatsRpcContext([pattern, headers]);
    let payload: unknown;
    try {
      payload = decodeJson(data);
    } catch {
      respond(encodeJson(replyError(new WorkgateError('validation_failed', 'the request is not valid JSON'))));
      return;
    }
    try {
      const answered: unknown = await handler(payload, ctx);
      const result = await lastValueFrom<unknown, undefined>(this.transformToObservable(answered), {
        defaultValue: undefined,
      });
      if (!isEvent) respond(encodeJson({ ok: true, data: result ?? null }));
    } catch (error) {
      const wire = replyError(error);
      if (!wire.ok && wire.error.code === 'internal') {
        this.logger.error(`${pattern} failed: ${(error as Error)?.stack ?? String(error)}`);
      }
      if (!isEvent) respond(encodeJson(wire));
    }
  }

  /** An answer NATS cannot carry (over the server's `max_payload`) becomes a refusal the caller can act on, not a time-out. */
  private fitting(pattern: string, bytes: Uint8Array): Uint8Array {
    const limit = this.nc.info?.max_payload;
    if (limit === undefined || bytes.length <= limit) return bytes;
    return encodeJson(
      replyError(
        new WorkgateError(
          'payload_too_large',
          `the answer on ${pattern} is ${bytes.length} bytes, more than NATS carries (${limit}): ask for less (a smaller limit)`,
        ),
      ),
    );
  }

  async close(): Promise<void> {
    this.locals.forEach(([subject]) => LocalRoutes.unregister(subject));
    this.locals.length = 0;
    // Drain: stop taking new requests, let the ones in flight answer.
    await Promise.all(this.subscriptions.map((s) => s.drain().catch(() => undefined)));
    this.subscriptions.length = 0;
  }

  on(): never {
    throw new Error('NatsRpcServer does not emit transport events');
  }

  unwrap<T>(): T {
    return this.nc as T;
  }
}

/**
 * Marks a handler as the one that serves a request/reply contract (its subject, in the service's
 * queue group). The handler must take the contract's request and answer its reply: a handler that
 * answers anything else does not compile.
 */
export function Serves<Req, Res>(contract: RpcContract<Req, Res>) {
  return <M extends (request: Req) => Res | Promise<Res>>(
    target: object,
    key: string | symbol,
    descriptor: TypedPropertyDescriptor<M>,
  ): void => {
    MessagePattern(contract.subject)(target, key, descriptor);
  };
}
