import {
  canonicalize,
  ExceptionCode,
  InclusionProof,
  RecordedEvent,
  WorkflowDefinition,
  WorkOrderProof,
} from '@workgate/contracts';
import { maskStrings, WorkOrder } from '@workgate/domain';
import { workflowMap } from '@workgate/workflow';
import { receiptOf, receiptWorkOrderOf } from './receipts';
import { deliveryPage, stateHandoff } from './work-order.views';

/** The events of a work order's stream that are receipts, in ledger order. */
export const receiptEventsOf = (events: RecordedEvent[]): RecordedEvent[] =>
  events.filter((e) => receiptWorkOrderOf(e) !== undefined);

/** What a work order's proof package is assembled from: its state, the version it ran on, its events and their proofs. */
export interface ProofSources {
  state: WorkOrder;
  definition: WorkflowDefinition;
  /** The policy sha256 of that version, as published. */
  sha256: string;
  /** Every event of the work order's stream, in order. */
  events: RecordedEvent[];
  /**
   * One inclusion proof per receipt event (`receiptEventsOf(events)`), in the same order, all
   * against one checkpoint; before the package is issued (its parts hashed), none.
   */
  proofs?: InclusionProof[];
  verifierKey: string;
  catalog: ExceptionCode[];
  /** Private evidence and the recorded events (ops leads); without, the package is client-safe. */
  includePrivate: boolean;
}

/**
 * A work order's proof package (but for the delivery page's HTML). The client-safe one keeps no
 * recorded event, no evidence marked `private: true` wherever it sits, and shows every free text
 * of the work order and its receipts masked for anything credential-shaped; the definition, its
 * map and boundary are what any caller may read of a workflow version.
 */
export function workOrderProof(s: ProofSources): ProofParts {
  const receiptEvents = receiptEventsOf(s.events);
  const proofs = s.proofs ?? receiptEvents.map(unproved);
  if (receiptEvents.length !== proofs.length)
    throw new Error(`${receiptEvents.length} receipts, ${proofs.length} inclusion proofs`);
  const receipts = receiptEvents.map((e, i) =>
    receiptOf(e, s.state, { receiptId: e.eventId, includePrivate: s.includePrivate }, { proof: proofs[i] }),
  );
  const d = s.definition;
  const workOrder = stateHandoff(s.state, d);
  const delivery = deliveryPage(s.state, d, s.events);
  return {
    workOrder: s.includePrivate ? workOrder : withoutPrivate(maskStrings(workOrder)),
    definition: canonicalize(d),
    map: workflowMap(d, s.sha256, new Map(s.catalog.map((c) => [c.code, c]))),
    boundary: { systems: d.systems, rules: d.rules ?? [] },
    delivery: s.includePrivate ? delivery : withoutPrivate(delivery),
    // Only the evidence is free text: hashes, proofs and the checkpoint stay as signed.
    receipts: s.includePrivate
      ? receipts
      : receipts.map((r) => withoutPrivate({ ...r, evidence: maskStrings(r.evidence) })),
    // Every proof leads to this one checkpoint: they were asked for together.
    checkpoint: proofs[0]?.checkpoint ?? '',
    verifierKey: s.verifierKey,
  };
}

/** A package but for its issuance record. */
export type ProofParts = Omit<WorkOrderProof, 'issuance'>;

/** A receipt's place before its proof is asked for: the parts are hashed without proofs, so it is never shown. */
const unproved = (e: RecordedEvent): InclusionProof => ({
  leafIndex: e.position - 1,
  treeSize: 0,
  inclusion: [],
  checkpoint: '',
});

/**
 * The package as issued: its receipts with their inclusion proofs, and its issuance record, all
 * against one checkpoint (`proofs`: the receipts' proofs in order, then the issuance event's).
 */
export function issuedProof(parts: ProofParts, proofs: InclusionProof[], issuance: RecordedEvent): WorkOrderProof {
  if (proofs.length !== parts.receipts.length + 1)
    throw new Error(`${parts.receipts.length} receipts and an issuance record, ${proofs.length} inclusion proofs`);
  const last = proofs[proofs.length - 1];
  return {
    ...parts,
    receipts: parts.receipts.map((r, i) => ({ ...r, proof: proofs[i] })),
    checkpoint: last.checkpoint,
    issuance: { event: issuance, proof: last },
  };
}

/**
 * `value` without any object marked `private: true`: such an array item is left out, such a
 * member removed, at any depth (private evidence, a rollback note, whatever carries the mark).
 */
export function withoutPrivate<T>(value: T): T;
export function withoutPrivate(value: unknown): unknown {
  if (Array.isArray(value)) {
    const items: unknown[] = value;
    return items.filter((v) => !isPrivate(v)).map((v) => withoutPrivate(v));
  }
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, v]) => !isPrivate(v))
        .map(([k, v]) => [k, withoutPrivate(v)]),
    );
  return value;
}

const isPrivate = (value: unknown): boolean =>
  value !== null && typeof value === 'object' && 'private' in value && value.private === true;
