import { Injectable } from '@nestjs/common';
import {
  ProofRequest,
  RecordedEvent,
  requireUuid,
  Subjects,
  WorkOrderProof,
  workOrderStream,
} from '@workgate/contracts';
import { RpcClient } from '@workgate/messaging';
import { receiptEventsOf, workOrderProof } from './proof';
import { tooLargeProof } from './proof-size';
import { WorkOrdersService } from './work-orders.service';

/**
 * Reads what a work order's proof package is made of: the work order and its version, every event
 * of its stream, the inclusion proofs of its receipts (all against one signed checkpoint), the
 * ledger's verifier key and the exception catalog the map names.
 */
@Injectable()
export class ProofPackages {
  constructor(
    private readonly workOrders: WorkOrdersService,
    private readonly rpc: RpcClient,
  ) {}

  async proof(req: ProofRequest): Promise<WorkOrderProof> {
    const id = requireUuid(req?.workOrderId, 'work order');
    const { state, workflow } = await this.workOrders.existing(id);
    const events = await this.stream(id);
    const positions = receiptEventsOf(events).map((e) => e.position);
    const [proofs, key, catalog] = await Promise.all([
      this.rpc.request(Subjects.ledger.proveAll, { positions }),
      this.rpc.request(Subjects.ledger.key, {}),
      this.rpc.request(Subjects.exceptions.listCodes, {}),
    ]);
    const pkg = workOrderProof({
      state,
      definition: workflow.definition,
      sha256: workflow.policy.sha256,
      events,
      proofs,
      verifierKey: key.verifierKey,
      catalog,
      includePrivate: req.includePrivate === true,
    });
    const tooLarge = req.sameProcess === true ? undefined : tooLargeProof(pkg, id, this.rpc.maxPayload());
    if (tooLarge) throw tooLarge;
    return pkg;
  }

  /** Every event of the work order's stream, read page after page. */
  private async stream(id: string): Promise<RecordedEvent[]> {
    const events: RecordedEvent[] = [];
    for (;;) {
      const from = (events.at(-1)?.streamVersion ?? 0) + 1;
      const page = await this.rpc.request(Subjects.ledger.readStream, {
        streamId: workOrderStream(id),
        fromVersion: from,
      });
      events.push(...page.events);
      if (page.events.length === 0 || (events.at(-1)?.streamVersion ?? 0) >= page.version) return events;
    }
  }
}
