import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { Msg, NatsConnection, Subscription } from 'nats';
import { AppendRequest, Subjects, WorkgateError } from '@workgate/contracts';
import { decodeJson, encodeJson, NATS_CONNECTION, replyError } from '@workgate/messaging';
import { LedgerStore } from './ledger-store';

/**
 * Serves `workgate.ledger.append` only while this instance is the writer: a standby does not
 * subscribe, so appends always reach the instance that can commit them.
 */
@Injectable()
export class AppendListener implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('ledger');
  private subscription?: Subscription;

  constructor(
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    private readonly store: LedgerStore,
  ) {}

  onModuleInit(): void {
    this.store.onActiveChange((active) => (active ? this.subscribe() : this.unsubscribe()));
  }

  private subscribe(): void {
    if (this.subscription) return;
    this.subscription = this.nc.subscribe(Subjects.ledger.append, {
      queue: 'ledger',
      callback: (err, msg) => {
        if (err) this.logger.error(`append subscription: ${err.message}`);
        else void this.handle(msg);
      },
    });
  }

  private unsubscribe(): void {
    this.subscription?.unsubscribe();
    this.subscription = undefined;
  }

  private async handle(msg: Msg): Promise<void> {
    let reply: unknown;
    try {
      const request = decodeJson<AppendRequest>(msg.data);
      reply = { ok: true, data: await this.store.writer.append(request) };
    } catch (error) {
      reply = replyError(
        error instanceof SyntaxError ? new WorkgateError('validation_failed', 'the append request is not valid JSON') : error,
      );
    }
    if (msg.reply) msg.respond(encodeJson(reply));
  }

  async onApplicationShutdown(): Promise<void> {
    await this.subscription?.drain().catch(() => undefined);
    this.subscription = undefined;
  }
}
