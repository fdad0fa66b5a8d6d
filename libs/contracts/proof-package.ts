/** The proof package of a work order (docs/ledger.md, The proof package): its map, boundary, delivery page and receipts, verifiable offline. */
import type { InclusionProof, RecordedEvent } from './ledger';
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
  /**
   * The issuance record: the `ProofPackageIssued` event the ledger recorded when this package was
   * made (the sha256 of its parts), with its inclusion proof against `checkpoint`.
   */
  issuance: { event: RecordedEvent; proof: InclusionProof };
}

/** Who a proof package was made for: the ops lead's (recorded events, private evidence) or the client-safe one. */
export type ProofAudience = 'ops-lead' | 'public';

/**
 * `ProofPackageIssued` on `proof-<work order id>`: the sha256 (hex) of each part of a proof package
 * as issued, so the parts no recorded event binds are bound by a hash the ledger recorded. Only
 * hashes of what the package itself shows: for the public package, of parts already masked and
 * stripped of private evidence (what any caller may read in full); for the ops lead's, of the
 * parts any caller may read (definition, map, boundary).
 */
export interface ProofPackageIssuedData {
  workOrderId: string;
  audience: ProofAudience;
  /**
   * Part name -> sha256 of its RFC 8785 canonical JSON (of the definition: of its text). Public:
   * `workOrder`, `delivery.json`, `definition`, `map`, `boundary`; ops lead: `definition`, `map`, `boundary`.
   */
  parts: Record<string, string>;
  /** Public: every receipt in package order, the sha256 of its canonical JSON without `proof`. Ops lead: none (each carries its event). */
  receipts: Array<{ receiptId: string; sha256: string }>;
}

export interface ProofEventMap {
  ProofPackageIssued: ProofPackageIssuedData;
}

export const ProofEvents = { Issued: 'ProofPackageIssued' } as const satisfies Record<string, keyof ProofEventMap>;

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
