/** The proof package of a work order (docs/ledger.md, The proof package): its map, boundary, delivery page and receipts, verifiable offline. */
import type { InclusionProof } from './ledger';
import type { Rule, SystemBoundary } from './policy';
import type { DeliveryPage, Receipt, WorkOrderHandoff } from './work-order-reads';
import type { WorkflowMap } from './workflow-map';

export interface ProofRequest {
  workOrderId: string;
  /** Private evidence and the recorded events are included only for ops leads; without, the package is client-safe. */
  includePrivate?: boolean;
  /**
   * The caller is answered in its own process (no NATS message carries the answer): the package
   * has no size limit. Otherwise it is held to one NATS message (the server's `max_payload`).
   */
  sameProcess?: boolean;
}

/**
 * Everything a proof package holds but the delivery page's HTML (the gateway renders it): intake's
 * answer to `Subjects.intake.proof`.
 */
export interface WorkOrderProof {
  /** The work order's state handoff, as GET /v1/work-orders/:id answers it. */
  workOrder: WorkOrderHandoff;
  /**
   * The exact workflow version the work order ran on, as its RFC 8785 canonical JSON text: the
   * SHA-256 of this text (UTF-8) is the policy sha256 every decision receipt names.
   */
  definition: string;
  map: WorkflowMap;
  /** The control boundary of that version. */
  boundary: { systems: SystemBoundary[]; rules: Rule[] };
  delivery: DeliveryPage;
  /** Every receipt of the work order in ledger order, each with its inclusion proof against `checkpoint`. */
  receipts: Receipt[];
  /** The C2SP signed note every receipt's proof leads to. */
  checkpoint: string;
  /** The signed-note verifier key of the ledger (check it against the one you trust). */
  verifierKey: string;
}

/** GET /v1/work-orders/:id/proof: one JSON document an auditor or client verifies offline (`npm run verify-receipt`). */
export interface ProofPackage extends Omit<WorkOrderProof, 'delivery'> {
  delivery: { json: DeliveryPage; html: string };
}

export interface ProveAllRequest {
  /** Ledger positions, each 1 or more. */
  positions: number[];
}

/** Inclusion proofs of several events against one signed checkpoint, in the order asked. */
export type InclusionProofs = InclusionProof[];
