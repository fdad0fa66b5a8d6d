/** Messages of the ledger service (request/reply over NATS). */
import { Guard, isNumber, isString, objectOf } from './json-guards';
import type { WorkOrderStatus } from './work-order.events';

export type ExpectedVersion = number | 'any' | 'no_stream';

export interface NewEvent {
  /** UUID; a repeated id is idempotent. */
  eventId: string;
  type: string;
  /** A JSON object. */
  data: object;
  /** A JSON object: actor, command id, channel. */
  metadata?: object;
  /** RFC 3339; defaults to the time of recording. */
  occurredAt?: string;
}

export interface AppendRequest {
  streamId: string;
  expectedVersion: ExpectedVersion;
  events: NewEvent[];
}

export interface AppendResult {
  /** Global positions of the appended events, in order. */
  positions: number[];
  /** The stream's version after the append (the version of its last event). */
  nextVersion: number;
}

/**
 * A command's events for every stream it touches, each with its expected version: committed in one
 * ledger commit, all of them or none (one refused stream refuses the commit).
 */
export interface CommitRequest {
  appends: AppendRequest[];
}

export interface CommitResult {
  /** One result per append, in order. */
  results: AppendResult[];
  /** The highest position the commit recorded (a replayed commit: the highest it recorded then). */
  position: number;
}

export interface RecordedEvent {
  position: number;
  streamId: string;
  streamVersion: number;
  eventId: string;
  type: string;
  data: Record<string, unknown>;
  metadata: Record<string, unknown>;
  occurredAt: string;
  recordedAt: string;
  prevHash: string;
  hash: string;
}

export interface ReadStreamRequest {
  streamId: string;
  fromVersion?: number;
  limit?: number;
}

export interface ReadStreamResult {
  streamId: string;
  /** The stream's current version (0: no such stream); a reader whose last event is below it reads on from there. */
  version: number;
  events: RecordedEvent[];
}

export interface ReadAllRequest {
  after?: number;
  limit?: number;
}

export interface ReadAllResult {
  events: RecordedEvent[];
  /** The position to pass as `after` for the next page. */
  next: number;
}

/** Events of some types, in position order, optionally within an occurred-at range [from, to). */
export interface QueryEventsRequest {
  types: string[];
  after?: number;
  /** Newest first, positions below `before` (for "latest N" listings). */
  descending?: boolean;
  before?: number;
  limit?: number;
  from?: string;
  to?: string;
}

export interface VerifyResult {
  ok: boolean;
  checked: number;
  headHash: string;
  headPosition: number;
  firstBadPosition?: number;
  problem?: string;
}

export interface LedgerHead {
  position: number;
  hash: string;
}

export interface GetEventRequest {
  eventId: string;
}

/** A signed checkpoint of the ledger's head, to keep outside the database. */
export interface SignedCheckpoint {
  position: number;
  headHash: string;
  at: string;
  keyId: string;
  /** Ed25519 signature (base64) over the RFC 8785 JSON of {position, headHash, at, keyId}. */
  signature: string;
  /** The public key (PEM), so the checkpoint can be checked anywhere. */
  publicKey: string;
  /** The Merkle tree at `position`: its size (= position), root (base64) and the C2SP signed note of both. */
  treeSize: number;
  rootHash: string;
  note: string;
  /** The signed-note verifier key (`<name>+<key hash>+<base64 key>`), also at GET /v1/ledger/key. */
  verifierKey: string;
}

/** Whether a value (a checkpoint file's JSON) has every member of a signed checkpoint, each of its type. */
export const isSignedCheckpoint: Guard<SignedCheckpoint> = objectOf({
  position: isNumber,
  headHash: isString,
  at: isString,
  keyId: isString,
  signature: isString,
  publicKey: isString,
  treeSize: isNumber,
  rootHash: isString,
  note: isString,
  verifierKey: isString,
});

/** A kept checkpoint to verify against: the JSON form, or its signed note alone. */
export interface VerifyCheckpointRequest {
  checkpoint?: Pick<SignedCheckpoint, 'position' | 'headHash' | 'at' | 'keyId' | 'signature'> &
    Partial<SignedCheckpoint>;
  note?: string;
}

/** The ledger's signed-note verifier key and log origin. */
export interface LedgerKey {
  origin: string;
  verifierKey: string;
}

/** An RFC 9162 inclusion proof of an event against a signed checkpoint. */
export interface InclusionProof {
  /** The event's leaf: position - 1. */
  leafIndex: number;
  treeSize: number;
  /** Sibling hashes (base64), leaf side first. */
  inclusion: string[];
  /** The C2SP signed note of the tree the proof leads to. */
  checkpoint: string;
}

export interface ProveRequest {
  position: number;
}

export interface ConsistencyRequest {
  from: number;
  /** Default: the head. */
  to?: number;
}

/** An RFC 9162 consistency proof between two tree sizes. */
export interface ConsistencyProof {
  from: number;
  to: number;
  /** Hashes (base64). */
  proof: string[];
  /** The roots (base64) at both sizes, as the stored tree has them. */
  fromRoot: string;
  toRoot: string;
}

export interface HealthReply {
  service: string;
  ok: boolean;
  instance: string;
  details?: Record<string, unknown>;
}

/** What the ledger's health reply details: the head, the relay, each projection, and every problem (none: healthy). */
export interface LedgerHealthDetails extends Record<string, unknown> {
  writer: 'active' | 'standby';
  headPosition: number;
  /** The active writer's relay: the last position published to LEDGER, and how far behind the head. */
  publishedPosition?: number;
  relayLag?: number;
  /** Set while the relay publishes nothing: why (e.g. the LEDGER stream belongs to another ledger) and since when. */
  relayPaused?: { reason: string; since: string };
  projections: Record<string, { position: number; lag: number; parked: number }>;
  paused?: { error: string; since: string };
  problems: string[];
}

/** The kinds of timers the ledger's timers view keeps. */
export const TimerKinds = {
  approvalExpiry: 'approval-expiry',
  postReviewOverdue: 'post-review-overdue',
  delegation: 'delegation',
  exceptionSla: 'exception-sla',
} as const;
export type TimerKind = (typeof TimerKinds)[keyof typeof TimerKinds];

/** A timer due now, from the ledger's timers view (`workgate.ledger.due-timers`). */
export interface DueTimer {
  timerId: string;
  kind: TimerKind;
  streamId: string;
  dueAt: string;
}

export interface DueTimersRequest {
  kinds: TimerKind[];
  /** RFC 3339: timers due at or before it. */
  now: string;
  limit?: number;
}

export interface WorkOrderListQuery {
  source?: string;
  externalRef?: string;
  jobType?: string;
  status?: string;
  limit?: number;
}

export interface ExceptionListQuery {
  owner?: string;
  /** Only those escalated to this principal. */
  escalatedTo?: string;
  /** `open` (default), `resolved` or `all`. */
  status?: 'open' | 'resolved' | 'all';
  /** At most 1,001 (a page of 1,000 and whether more follow); 500 by default. */
  limit?: number;
  /** Only the exceptions after this one in the list's order (owner, due time, id): the next page. */
  after?: { owner: string; dueAt: string; exceptionId: string };
}

/** A row of the exceptions list: open ones by owner, the soonest due first. */
export interface ExceptionListItem {
  exceptionId: string;
  workOrderId: string;
  externalRef: string;
  source: string;
  jobType: string;
  code: string;
  owner: string;
  stepId: string | null;
  raisedAt: string;
  dueAt: string;
  resolvedAt: string | null;
  slaBreached: boolean;
  /** Whom it was escalated to and when (null until escalated). */
  escalatedTo: string | null;
  escalatedAt: string | null;
  remediationsOpen: number;
}

/** A row of the work-orders list, newest first. */
export interface WorkOrderListItem {
  id: string;
  source: string;
  externalRef: string;
  jobType: string;
  version: number;
  owner: string;
  status: WorkOrderStatus;
  openedAt: string;
  updatedAt: string;
  closedAt: string | null;
  evidenceMissing: boolean;
  reopened: number;
}
