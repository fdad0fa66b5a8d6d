import { Injectable } from '@nestjs/common';
import {
  canonicalize,
  isRecord,
  parseJsonAs,
  ProofEvents,
  proofStream,
  ProofPackageIssuedData,
  ProofRequest,
  RecordedEvent,
  requireUuid,
  Subjects,
  WorkOrderProof,
  workOrderStream,
} from '@workgate/contracts';
import { deterministicUuid } from '@workgate/domain';
import { issuedDigests } from '@workgate/event-store';
import { RpcClient } from '@workgate/messaging';
import { issuedProof, receiptEventsOf, workOrderProof } from './proof';
import { tooLargeProof } from './proof-size';
import { WorkOrdersService } from './work-orders.service';

/**
 * Reads what a work order's proof package is made of: the work order and its version, every event
 * of its stream, the inclusion proofs of its receipts (all against one signed checkpoint), the
 * ledger's verifier key and the exception catalog the map names. Issuing a package records its
 * parts' sha256 in the ledger (`ProofPackageIssued` on `proof-<id>`, this service its one writer):
 * the same package issued again is the same event, recorded once.
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
    const [key, catalog] = await Promise.all([
      this.rpc.request(Subjects.ledger.key, {}),
      this.rpc.request(Subjects.exceptions.listCodes, {}),
    ]);
    const includePrivate = req.includePrivate === true;
    const parts = workOrderProof({
      state,
      definition: workflow.definition,
      sha256: workflow.policy.sha256,
      events,
      verifierKey: key.verifierKey,
      catalog,
      includePrivate,
    });
    // Hashed as the package is read: its JSON (a Date is its text, an undefined member absent),
    // the delivery page as the package's `delivery.json`.
    const shown = parseJsonAs(JSON.stringify({ ...parts, delivery: { json: parts.delivery } }), isRecord, 'a package');
    const issuance = await this.issue(issuedDigests(shown, id, includePrivate ? 'ops-lead' : 'public'));
    // Asked for after the issuance is recorded: the checkpoint covers it and every receipt.
    const proofs = await this.rpc.request(Subjects.ledger.proveAll, { positions: [...positions, issuance.position] });
    const pkg = issuedProof(parts, proofs, issuance);
    const tooLarge = req.sameProcess === true ? undefined : tooLargeProof(pkg, id, this.rpc.maxPayload());
    if (tooLarge) throw tooLarge;
    return pkg;
  }

  /** The issuance record of a package: appended (once for the same digests) and read back as recorded. */
  private async issue(data: ProofPackageIssuedData): Promise<RecordedEvent> {
    const eventId = deterministicUuid('proof-issued', data.workOrderId, data.audience, canonicalize(data));
    await this.rpc.request(Subjects.ledger.append, {
      streamId: proofStream(data.workOrderId),
      expectedVersion: 'any',
      events: [{ eventId, type: ProofEvents.Issued, data, metadata: { actor: 'intake:proof', producer: 'intake' } }],
    });
    return this.rpc.request(Subjects.ledger.getEvent, { eventId });
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
