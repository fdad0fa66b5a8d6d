import { Inject, Injectable, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { NatsConnection } from 'nats';
import { InProcessSubjects, Notices, Subjects } from '@workgate/contracts';
import {
  NATS_CONNECTION,
  NoticeBus,
  SERVICE_CONTEXT,
  serveBatch,
  ServedRoutes,
  ServiceContext,
  serves,
} from '@workgate/messaging';
import { LedgerStore } from './ledger-store';

/** Each commit of a batch is a span in its own caller's trace (with tracing on). */
const TRACED = { span: 'ledger commit', service: 'ledger' };

/**
 * Serves appends only while this instance is the writer: a standby does not subscribe, so appends
 * always reach the instance that can commit them. A commit reaches the writer one way over NATS
 * (`append-batch`: many commits in one request, checked here, joining the same group commit) and
 * one way in this process (`commit-prepared-batch`: checked and in canonical JSON already, from
 * this thread or another of this process; never subscribed on NATS, so nothing from outside is
 * taken as already checked). `append` is one stream's append, for the other aggregates' stores.
 * Once it serves them it says so (`workgate.notice.ledger-writer-active`): every process sends
 * again the ledger requests a writer that died took along (docs/ledger.md, Single writer).
 */
@Injectable()
export class AppendListener implements OnModuleInit, OnApplicationShutdown {
  private readonly routes: ServedRoutes;

  constructor(
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(SERVICE_CONTEXT) private readonly ctx: ServiceContext,
    private readonly store: LedgerStore,
    private readonly notices: NoticeBus,
  ) {
    const { writer } = store;
    this.routes = new ServedRoutes(nc, 'ledger', [
      serves(Subjects.ledger.append, (req) => writer.append(req)),
      serves(Subjects.ledger.appendBatch, (req) => serveBatch(req, (item) => writer.commit(item), TRACED), {
        inProcess: false,
      }),
      serves(
        InProcessSubjects.ledgerCommitPreparedBatch,
        (req) => serveBatch(req, (item) => writer.commitPrepared(item), TRACED),
        { overNats: false },
      ),
    ]);
  }

  onModuleInit(): void {
    this.store.onActiveChange((active) => (active ? void this.serve() : void this.routes.stop()));
  }

  /** Serves appends, then says so once the server has the subscriptions (a connection's messages keep their order). */
  private async serve(): Promise<void> {
    this.routes.start();
    if (this.nc.isClosed()) return;
    const position = this.store.writer.currentHead().position;
    await this.nc.flush().catch(() => undefined);
    if (!this.nc.isClosed() && this.store.writer.isActive)
      this.notices.publish(Notices.ledgerWriterActive, { instance: this.ctx.instance, position });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.routes.stop();
  }
}
