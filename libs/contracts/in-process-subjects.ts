import { BatchReply, BatchRequest, rpc } from './rpc';
import { CommitResult } from './ledger';

/** An event of an append request, checked and with its JSON work done once. */
export interface PreparedEvent {
  eventId: string;
  type: string;
  canonicalData: string;
  canonicalMetadata: string;
  occurredAt?: string;
}

export interface PreparedAppend {
  streamId: string;
  expectedVersion: number | 'any';
  events: PreparedEvent[];
  /** Characters of canonical JSON (data + metadata) the events hold. */
  bytes: number;
}

/** The appends of one commit, each checked and prepared: written together or not at all. */
export interface PreparedCommit {
  appends: PreparedAppend[];
  /** Events of every append. */
  eventCount: number;
  /** Characters of canonical JSON of every append. */
  bytes: number;
}

/**
 * Routes served only inside one process (LocalRoutes, and another thread's routes through its
 * port), never subscribed on NATS, so not in the AsyncAPI document: nothing from outside the
 * process reaches them.
 */
export const InProcessSubjects = {
  /**
   * Commits checked and put in canonical JSON by the caller's prepareCommit. A caller in the
   * ledger's own process sends text instead of object trees (far cheaper to clone between
   * threads) and the writer does not canonicalize again.
   */
  ledgerCommitPreparedBatch: rpc<BatchRequest<PreparedCommit>, BatchReply<CommitResult>>(
    'workgate.ledger.commit-prepared-batch',
  ),
} as const;
