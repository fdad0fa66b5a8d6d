import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { Msg, NatsConnection, Subscription } from 'nats';
import { AppendRequest, InProcessSubjects, Subjects, WorkgateError } from '@workgate/contracts';
import { PreparedAppend } from '@workgate/event-store';
import { BatchRequest, decodeJson, encodeJson, isInboxReply, LocalRoutes, NATS_CONNECTION, replyError, serveBatch } from '@workgate/messaging';
import { LedgerStore } from './ledger-store';

/**
 * Serves `workgate.ledger.append` only while this instance is the writer: a standby does not
 * subscribe, so appends always reach the instance that can commit them.
 */
@Injectable()
export class AppendListener implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('ledger');
  private subscriptions: Subscription[] = [];

  constructor(
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    private readonly store: LedgerStore,
  ) {}

  onModuleInit(): void {
    this.store.onActiveChange((active) => (active ? this.subscribe() : this.unsubscribe()));
  }

  private subscribe(): void {
    if (this.subscriptions.length) return;
    const serve = (subject: string, handle: (body: unknown) => Promise<unknown>) =>
      this.nc.subscribe(subject, {
        queue: 'ledger',
        callback: (err, msg) => {
          if (err) this.logger.error(`${subject} subscription: ${err.message}`);
          else void this.handle(msg, handle);
        },
      });
    const append = (body: unknown) => this.store.writer.append(body as AppendRequest);
    // Many appends (to different streams) in one request: they join the same group commit.
    const appendBatch = (body: unknown) => serveBatch(body as BatchRequest<AppendRequest>, (item) => this.store.writer.append(item));
    // Prepared appends come only from this process (this thread, or the main thread through the
    // thread routes): no NATS subscription, so nothing from outside is taken as already checked.
    const appendPreparedBatch = (body: unknown) => serveBatch(body as BatchRequest<PreparedAppend>, (item) => this.store.writer.appendPrepared(item));
    this.subscriptions = [serve(Subjects.ledger.append, append), serve(Subjects.ledger.appendBatch, appendBatch)];
    LocalRoutes.register(Subjects.ledger.append, append);
    LocalRoutes.register(Subjects.ledger.appendBatch, appendBatch);
    LocalRoutes.register(InProcessSubjects.ledgerAppendPreparedBatch, appendPreparedBatch);
  }

  private static unregisterLocal(): void {
    for (const subject of [Subjects.ledger.append, Subjects.ledger.appendBatch, InProcessSubjects.ledgerAppendPreparedBatch]) LocalRoutes.unregister(subject);
  }

  private unsubscribe(): void {
    AppendListener.unregisterLocal();
    this.subscriptions.forEach((s) => s.unsubscribe());
    this.subscriptions = [];
  }

  private async handle(msg: Msg, handle: (body: unknown) => Promise<unknown>): Promise<void> {
    let reply: unknown;
    try {
      reply = { ok: true, data: await handle(decodeJson(msg.data)) };
    } catch (error) {
      reply = replyError(
        error instanceof SyntaxError ? new WorkgateError('validation_failed', 'the append request is not valid JSON') : error,
      );
    }
    if (isInboxReply(msg.reply)) msg.respond(encodeJson(reply));
  }

  async onApplicationShutdown(): Promise<void> {
    AppendListener.unregisterLocal();
    await Promise.all(this.subscriptions.map((s) => s.drain().catch(() => undefined)));
    this.subscriptions = [];
  }
}
