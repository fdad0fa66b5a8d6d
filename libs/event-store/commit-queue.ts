import { CommitResult } from '@workgate/contracts';
import { Pending } from './commit-plan';
import { PreparedCommit } from './validate';

export interface CommitQueueOptions {
  /** Most events one group commit writes. */
  maxBatchEvents: number;
  /** Most characters of JSON (data + metadata) one group commit writes (one commit at least). */
  maxBatchBytes: number;
  /** How long a commit waits for company when the queue is short; 0 = commit as soon as the writer is free. */
  lingerMs: number;
}

/**
 * The writer's queue of commits, group-committed: the commits that arrive while one group is in
 * flight (or within `lingerMs`) go to `flush` together, one group at a time, each as large as
 * the options allow.
 */
export class CommitQueue {
  private queue: Pending[] = [];
  private queuedEvents = 0;
  private flushing = false;
  private flushScheduled = false;
  private lingerTimer?: NodeJS.Timeout;
  private currentFlush: Promise<void> = Promise.resolve();

  constructor(
    private readonly opts: CommitQueueOptions,
    /** Writes one group and answers its callers; never rejects. */
    private readonly flush: (batch: Pending[]) => Promise<void>,
    /** While true, no new group starts. */
    private readonly stopping: () => boolean,
  ) {}

  /** The group being written (resolved when none is). */
  get inFlight(): Promise<void> {
    return this.currentFlush;
  }

  /** Queues a commit; resolves with its answer once the group that holds it is written. */
  push(commit: PreparedCommit): Promise<CommitResult> {
    return new Promise<CommitResult>((resolve, reject) => {
      this.queue.push({ commit, resolve, reject });
      this.queuedEvents += commit.eventCount;
      this.kick();
    });
  }

  /** Cancels a group waiting for company (it starts no more). */
  cancelLinger(): void {
    if (this.lingerTimer) clearTimeout(this.lingerTimer);
  }

  /** Refuses every queued commit with `error`. */
  failQueued(error: Error): void {
    const queued = this.queue;
    this.queue = [];
    this.queuedEvents = 0;
    for (const p of queued) p.reject(error);
  }

  private kick(): void {
    if (this.flushing || this.queue.length === 0 || this.stopping()) return;
    if (this.opts.lingerMs > 0 && this.queuedEvents < this.opts.maxBatchEvents) {
      if (!this.lingerTimer) {
        this.lingerTimer = setTimeout(() => {
          this.lingerTimer = undefined;
          this.startFlush();
        }, this.opts.lingerMs);
      }
      return;
    }
    // Start on the next turn of the event loop, so every append that arrived in this turn
    // (e.g. a burst of NATS requests read from one socket chunk) joins the same commit.
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => {
        this.flushScheduled = false;
        this.startFlush();
      });
    }
  }

  private startFlush(): void {
    if (this.flushing || this.queue.length === 0) return;
    if (this.lingerTimer) {
      clearTimeout(this.lingerTimer);
      this.lingerTimer = undefined;
    }
    this.flushing = true;
    const batch = this.takeBatch();
    this.currentFlush = this.flush(batch).finally(() => {
      this.flushing = false;
      this.kick();
    });
  }

  /** The next commits that fit one group commit: at most maxBatchEvents events and maxBatchBytes of JSON (one commit at least). */
  private takeBatch(): Pending[] {
    let events = 0;
    let bytes = 0;
    let n = 0;
    while (
      n < this.queue.length &&
      (n === 0 ||
        (events + this.queue[n].commit.eventCount <= this.opts.maxBatchEvents &&
          bytes + this.queue[n].commit.bytes <= this.opts.maxBatchBytes))
    ) {
      events += this.queue[n].commit.eventCount;
      bytes += this.queue[n].commit.bytes;
      n++;
    }
    this.queuedEvents -= events;
    return this.queue.splice(0, n);
  }
}
