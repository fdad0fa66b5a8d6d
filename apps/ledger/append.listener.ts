import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { Msg, NatsConnection, Subscription } from 'nats';
import { AppendRequest, BatchRequest, CommitRequest, Subjects, WorkgateError } from '@workgate/contracts';
import { InProcessSubjects, PreparedCommit } from '@workgate/event-store';
import {
  contextOf,
  decodeJson,
  encodeJson,
  inSpan,
  isInboxReply,
  LocalRoutes,
  NATS_CONNECTION,
  replyError,
  serveBatch,
  SpanKind,
  tracingEnabled,
} from '@workgate/messaging';
import { LedgerStore } from './ledger-store';

/** Each commit of a batch is a span in its own caller's trace (with tracing on). */
const TRACED = { span: 'ledger commit', service: 'ledger' };

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
          else if (!tracingEnabled()) void this.handle(msg, handle);
          // In the caller's trace (its context travels in the request's headers).
          else
            void inSpan(
              subject,
              {
                kind: SpanKind.SERVER,
                parent: contextOf(msg.headers?.get('traceparent') || undefined),
                attributes: { 'workgate.service': 'ledger' },
              },
              () => this.handle(msg, handle),
            );
        },
      });
    const append = (body: unknown) => this.store.writer.append(body as AppendRequest);
    // Many commits (each a command's appends to the streams it touches) in one request: they join the same group commit.
    const appendBatch = (body: unknown) =>
      serveBatch(body as BatchRequest<CommitRequest>, (item) => this.store.writer.commit(item), TRACED);
    // Prepared commits come only from this process (this thread, or the main thread through the
    // thread routes): no NATS subscription, so nothing from outside is taken as already checked.
    const commitPreparedBatch = (body: unknown) =>
      serveBatch(body as BatchRequest<PreparedCommit>, (item) => this.store.writer.commitPrepared(item), TRACED);
    this.subscriptions = [
      serve(Subjects.ledger.append.subject, append),
      serve(Subjects.ledger.appendBatch.subject, appendBatch),
    ];
    LocalRoutes.register(Subjects.ledger.append.subject, append);
    LocalRoutes.register(Subjects.ledger.appendBatch.subject, appendBatch);
    LocalRoutes.register(InProcessSubjects.ledgerCommitPreparedBatch.subject, commitPreparedBatch);
  }

  private static unregisterLocal(): void {
    for (const c of [Subjects.ledger.append, Subjects.ledger.appendBatch, InProcessSubjects.ledgerCommitPreparedBatch])
      LocalRoutes.unregister(c.subject);
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
        error instanceof SyntaxError
          ? new WorkgateError('validation_failed', 'the append request is not valid JSON')
          : error,
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
