import { LedgerHead } from '@workgate/contracts';
import { CommittedEvent } from './commit-plan';
import { MAX_APPEND_BYTES } from './validate';
import { WriterAdmission } from './writer-admission';

export interface LedgerWriterOptions {
  /** Postgres role the writer acts as (INSERT/SELECT only on the ledger). */
  role?: string;
  /** Most events one group commit writes. */
  maxBatchEvents?: number;
  /** Most characters of JSON (data + metadata) one group commit writes; one append alone may hold up to MAX_APPEND_BYTES. */
  maxBatchBytes?: number;
  /** How long a commit waits for company when the queue is short; 0 = commit as soon as the writer is free. */
  lingerMs?: number;
  /** How often a standby instance tries to take the writer lock. */
  standbyPollMs?: number;
  /** Stream versions kept in memory, so most appends need no version lookup. */
  streamCacheSize?: number;
  /** false: keep no Merkle tree (for measuring what the tree costs only: proofs and checkpoints need it). */
  merkleTree?: boolean;
  /** Called after every commit with the new head and the events it recorded, in position order (the relay's fast path). */
  onCommitted?: (head: LedgerHead, events: CommittedEvent[]) => void;
  /** Called when this instance becomes (or stops being) the single writer. */
  onActiveChange?: (active: boolean) => void;
  /**
   * Signs a commit: its last position and that event's chain hash (the ledger's key, see
   * commit-signature.ts). The signature is written in the commit's statement; without it the
   * writer signs nothing (measurements, tests of the library alone).
   */
  signCommit?: (position: number, hash: string) => Buffer;
  /**
   * Asked once the lock is taken, before this instance writes anything: whether the ledger it
   * found is one it may extend. A refusal makes it refuse every append (and say why in
   * `refusing`); `adopt` makes it sign the head first (the rows of a ledger written before commits
   * were signed).
   */
  admit?: () => Promise<WriterAdmission>;
  /**
   * Told each time the writer starts refusing to write, whether at admission or because rows
   * appeared around it while it ran (it also logs the reason through `logError`): for a metric.
   */
  onRefuse?: (reason: string) => void;
  log?: (message: string) => void;
  /** A failure the writer's callers are not told in its own words (the database's text is internal): logged here, at error level. */
  logError?: (message: string) => void;
}

/** The options with their defaults filled in. */
export type WriterSettings = Required<
  Omit<
    LedgerWriterOptions,
    'role' | 'onCommitted' | 'onActiveChange' | 'log' | 'signCommit' | 'admit' | 'logError' | 'onRefuse'
  >
> &
  LedgerWriterOptions;

export function writerSettings(options: LedgerWriterOptions): WriterSettings {
  return {
    maxBatchEvents: 4000,
    maxBatchBytes: MAX_APPEND_BYTES,
    lingerMs: 0,
    standbyPollMs: 500,
    streamCacheSize: 200_000,
    merkleTree: true,
    ...options,
  };
}
