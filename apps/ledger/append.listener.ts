import { Inject, Injectable, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { NatsConnection } from 'nats';
import { InProcessSubjects, Subjects } from '@workgate/contracts';
import { NATS_CONNECTION, serveBatch, ServedRoutes, serves } from '@workgate/messaging';
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
 */
@Injectable()
export class AppendListener implements OnModuleInit, OnApplicationShutdown {
  private readonly routes: ServedRoutes;

  constructor(
    @Inject(NATS_CONNECTION) nc: NatsConnection,
    private readonly store: LedgerStore,
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
    this.store.onActiveChange((active) => (active ? this.routes.start() : void this.routes.stop()));
  }

  async onApplicationShutdown(): Promise<void> {
    await this.routes.stop();
  }
}
