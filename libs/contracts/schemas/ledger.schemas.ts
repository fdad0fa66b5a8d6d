import type * as C from '../ledger';
import {
  array,
  base64Hash,
  bool,
  component,
  described,
  documents,
  int,
  map,
  nullable,
  object,
  sha256,
  str,
  time,
} from './json-schema';
import { workOrderStatus } from './shapes';

/** What the ledger answers: its events, proofs, checkpoints, and the lists read from its views. */
export const RecordedEvent = component(
  'RecordedEvent',
  documents<C.RecordedEvent>()(
    object({
      position: int,
      streamId: str,
      streamVersion: int,
      eventId: str,
      type: str,
      data: map(),
      metadata: map(),
      occurredAt: time,
      recordedAt: time,
      prevHash: sha256,
      hash: sha256,
    }),
  ),
);

export const InclusionProof = component(
  'InclusionProof',
  documents<C.InclusionProof>()(
    object(
      {
        leafIndex: int,
        treeSize: int,
        inclusion: array(base64Hash),
        checkpoint: described(str, 'the C2SP signed note of the tree the proof leads to'),
      },
      {},
      'an RFC 9162 inclusion proof of the event (leaf = its chain hash) against a signed checkpoint',
    ),
  ),
);

export const ConsistencyProof = component(
  'ConsistencyProof',
  documents<C.ConsistencyProof>()(
    object(
      { from: int, to: int, proof: array(base64Hash), fromRoot: base64Hash, toRoot: base64Hash },
      {},
      'an RFC 9162 consistency proof',
    ),
  ),
);

export const WorkOrderListItem = component(
  'WorkOrderListItem',
  documents<C.WorkOrderListItem>()(
    object({
      id: str,
      source: str,
      externalRef: str,
      jobType: str,
      version: int,
      owner: str,
      status: workOrderStatus,
      openedAt: time,
      updatedAt: time,
      closedAt: nullable(time),
      evidenceMissing: bool,
      reopened: int,
    }),
  ),
);

export const ExceptionListItem = component(
  'ExceptionListItem',
  documents<C.ExceptionListItem>()(
    object({
      exceptionId: str,
      workOrderId: str,
      externalRef: str,
      source: str,
      jobType: str,
      code: str,
      owner: str,
      stepId: nullable(str),
      raisedAt: time,
      dueAt: time,
      resolvedAt: nullable(time),
      slaBreached: bool,
      escalatedTo: nullable(str),
      escalatedAt: nullable(time),
      remediationsOpen: int,
    }),
  ),
);

export const ReadAllResult = component(
  'ReadAllResult',
  documents<C.ReadAllResult>()(
    object({
      events: array(RecordedEvent.ref),
      next: described(int, 'pass as `after` for the next page'),
    }),
  ),
);

export const VerifyResult = component(
  'VerifyResult',
  documents<C.VerifyResult>()(
    object({ ok: bool, checked: int, headHash: str, headPosition: int }, { firstBadPosition: int, problem: str }),
  ),
);

export const SignedCheckpoint = component(
  'SignedCheckpoint',
  documents<C.SignedCheckpoint>()(
    object(
      {
        position: int,
        headHash: sha256,
        at: time,
        keyId: str,
        signature: str,
        publicKey: str,
        treeSize: int,
        rootHash: base64Hash,
        note: str,
        verifierKey: str,
      },
      {},
      '`note`: the C2SP signed note of the tree (origin, size, root); `signature`: Ed25519 over the RFC 8785 JSON of {position, headHash, at, keyId}',
    ),
  ),
);
