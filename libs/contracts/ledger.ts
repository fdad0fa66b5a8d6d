/** Messages of the ledger service (request/reply over NATS). */

export type ExpectedVersion = number | 'any' | 'no_stream';

export interface NewEvent {
  /** UUID; a repeated id is idempotent. */
  eventId: string;
  type: string;
  data: Record<string, unknown>;
  metadata?: Record<string, unknown>;
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

export interface HealthReply {
  service: string;
  ok: boolean;
  instance: string;
  details?: Record<string, unknown>;
}

/** A timer due now, from the ledger's timers view (`workgate.ledger.due-timers`). */
export interface DueTimer {
  timerId: string;
  kind: string;
  streamId: string;
  dueAt: string;
}
