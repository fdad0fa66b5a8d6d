import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { Empty, Subjects, ViewCounts, ViewsPosition } from '@workgate/contracts';
import { Serves } from '@workgate/messaging';
import { LedgerStore } from './ledger-store';
import { viewCounts, viewsPosition } from './views/view-status.queries';

/**
 * What the edge asks of the views besides their rows (apps/gateway/README.md): how far they have
 * folded the ledger, and the counts its metrics show. The tables are the ledger's; any instance
 * (writer or standby) answers from Postgres.
 */
@Controller()
export class ViewStatusController {
  constructor(private readonly store: LedgerStore) {}

  @Serves(Subjects.ledger.viewsPosition)
  viewsPosition(@Payload() _req: Empty): Promise<ViewsPosition> {
    return viewsPosition(this.store.pool);
  }

  @Serves(Subjects.ledger.viewCounts)
  viewCounts(@Payload() _req: Empty): Promise<ViewCounts> {
    return viewCounts(this.store.pool);
  }
}
