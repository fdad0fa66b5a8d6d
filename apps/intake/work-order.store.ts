import { Injectable } from '@nestjs/common';
import {
  AppendRequest,
  isWorkgateError,
  ReadStreamRequest,
  ReadStreamResult,
  SegmentedCache,
  workOrderStream,
} from '@workgate/contracts';
import {
  evolveWorkOrder,
  initialWorkOrderState,
  WorkOrder,
  WorkOrderEvent,
  workOrderEventOf,
  WorkOrderState,
  WORK_ORDER_PRODUCER,
  workOrders,
} from '@workgate/domain';
import { type CommandStream, foldStream, handle, pagesOver, StreamPageReader } from '@workgate/messaging';
import { LedgerCommits, LedgerReads } from './ledger-commits';
import { StreamStartAsks } from './stream-start-asks';
import { Decision, Handled, InOrder, Loaded, Step } from './work-order-steps';

export type { Decision, Handled, InOrder, Loaded, Step };

interface Queued {
  step: Step;
  resolve: (handled: Handled) => void;
  reject: (error: unknown) => void;
}

/**
 * Work orders kept decided-and-ready in memory; a miss costs one stream read, as long as the work
 * order's history. Bounds the resident memory under bursts. A work order is protected from a flood
 * of new ones once it has been recorded twice (opened, then acted on): a burst of openings cannot
 * push out the work orders in use, whose reads would cost the most.
 */
const CACHE_LIMIT = 10_000;
/** Events of a work order read in its first page (most hold far fewer; later pages are foldStream's). */
const FIRST_PAGE = 100;
/** Queued commands recorded in one commit at most (a commit holds at most 1,000 events). */
const QUEUED_PER_COMMIT = 64;

/** Tells a caller its outcome; what the caller does with it is its own affair and never stops the commit. */
function tell(step: Step, after: WorkOrder): void {
  try {
    step.told?.(after);
  } catch {
    // The caller's own failure: the command is recorded and answered all the same.
  }
}

/** The work order a decision leaves: every command but an opening needs one, and an opening makes one. */
function existingAfter(state: WorkOrderState): WorkOrder {
  if (state.status === 'none') throw new Error('a decided command leaves a work order');
  return state;
}

/**
 * The work orders' store: loads a work order (cached with its version), runs commands on it one at
 * a time in this instance, and commits their events with the streams they start in ONE ledger
 * commit at the work order's expected version; a version conflict reloads and decides again.
 * Commands of independent callers that arrive while the work order has one in flight wait
 * together and are then recorded together (each decided on the state the ones before it leave),
 * so many callers on one work order cost one commit per burst. Deciding is the caller's (`Step`).
 */
@Injectable()
export class WorkOrderStore {
  private readonly cache = new SegmentedCache<string, Loaded>(CACHE_LIMIT);
  private readonly locks = new Map<string, Promise<unknown>>();
  /** Single commands waiting for their work order's turn, by work order: recorded together. */
  private readonly queued = new Map<string, Queued[]>();
  private readonly pageAlone: StreamPageReader;

  constructor(
    private readonly commits: LedgerCommits,
    private readonly reads: LedgerReads,
    private readonly starts: StreamStartAsks,
  ) {
    this.pageAlone = pagesOver(reads.rpc);
  }

  /** Runs one command on the work order `id` in its turn (with others that arrived meanwhile, in one commit). */
  handle(id: string, step: Step): Promise<Handled> {
    return new Promise<Handled>((resolve, reject) => {
      const queued = this.queued.get(id);
      const waiting = { step, resolve, reject };
      if (queued) return void queued.push(waiting);
      const batch = [waiting];
      this.queued.set(id, batch);
      void this.serialized(id, async () => {
        // From here on, new arrivals form the next batch, run once this one is recorded.
        if (this.queued.get(id) === batch) this.queued.delete(id);
        await this.runQueued(id, batch);
      });
    });
  }

  /**
   * Runs consecutive commands on one work order in order, as if one after the other, but records
   * those that can be decided together in ONE commit: each is decided on the state the ones before
   * it leave, and the events of all of them commit together or not at all. A command refused on
   * that not yet committed state is decided again once the ones before it are recorded, so a
   * refusal never rests on anything unrecorded. Stops at the first command that fails.
   */
  handleInOrder(id: string, steps: Step[]): Promise<InOrder> {
    return this.serialized(id, () => this.inOrder(id, steps));
  }

  /**
   * Commits another stream's append (an approval's decided events, an exception's resolution)
   * together with the commands it causes on this work order, in ONE ledger commit, in the work
   * order's turn: the position answered covers both. When the work order cannot take them (unknown
   * work order, approval or exception), the append commits alone. A version conflict on the other
   * stream is the caller's to decide again; one on the work order reloads it and decides again here.
   */
  commitWith(id: string, steps: Step[], also: AppendRequest): Promise<number> {
    return this.serialized(id, async () => {
      if (steps.length > 0) {
        try {
          const handled = await this.recordNow(id, steps, also);
          return handled[handled.length - 1].position;
        } catch (error) {
          if (!isWorkgateError(error) || error.code !== 'not_found') throw error;
        }
      }
      return (await this.commits.commit({ appends: [also] })).position;
    });
  }

  /** The work order's state, stream version and the position of its last event (cached; read from the ledger when not). */
  async load(id: string): Promise<Loaded> {
    const hit = this.cache.get(id);
    if (hit) return hit;
    const loaded = await foldStream(
      (request) => this.readPage(request),
      workOrderStream(id),
      initialWorkOrderState(),
      (state, e) => evolveWorkOrder(state, workOrderEventOf(e)),
      FIRST_PAGE,
    );
    if (loaded.version > 0) this.cache.remember(id, loaded);
    return loaded;
  }

  /** Commands on one work order run one at a time in this instance (no needless conflicts). */
  private serialized<T>(id: string, work: () => Promise<T>): Promise<T> {
    const previous = this.locks.get(id) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(work);
    this.locks.set(id, next);
    void next
      .catch(() => undefined)
      .finally(() => {
        if (this.locks.get(id) === next) this.locks.delete(id);
      });
    return next;
  }

  /** Runs queued commands in arrival order; a refused one answers its caller and the ones after it still run. */
  private async runQueued(id: string, batch: Queued[]): Promise<void> {
    let rest = batch;
    while (rest.length > 0) {
      const now = rest.slice(0, QUEUED_PER_COMMIT);
      let { handled, error } = await this.inOrder(
        id,
        now.map((q) => q.step),
      );
      // A commit of several callers' commands that failed (too large, the ledger away) may not be
      // the first one's doing: it is tried alone before it is blamed.
      if (error !== undefined && handled.length === 0 && now.length > 1)
        ({ handled, error } = await this.inOrder(id, [now[0].step]));
      handled.forEach((h, i) => now[i].resolve(h));
      if (error !== undefined) now[handled.length].reject(error);
      rest = rest.slice(error === undefined ? handled.length : handled.length + 1);
    }
  }

  /** handleInOrder's work, with the work order's turn already held. */
  private async inOrder(id: string, steps: Step[]): Promise<InOrder> {
    const handled: Handled[] = [];
    while (handled.length < steps.length) {
      try {
        handled.push(...(await this.recordNow(id, steps.slice(handled.length))));
      } catch (error) {
        return { handled, error };
      }
    }
    return { handled };
  }

  /**
   * Records the first command and as many of the next ones as decide together, in order (at least
   * one), through the command handler: their events in one append at the version read, `also`,
   * another stream's append, in the same commit (alone when they record nothing).
   */
  private async recordNow(id: string, steps: Step[], also?: AppendRequest): Promise<Handled[]> {
    let decided: Array<{ state: WorkOrder; events: WorkOrderEvent[] }> = [];
    const decide = async (state: WorkOrderState): Promise<WorkOrderEvent[]> => {
      decided = [];
      let after = state;
      for (const step of steps) {
        let decision: Decision;
        try {
          const d = step.decide(after);
          decision = d instanceof Promise ? await d : d;
        } catch (error) {
          if (decided.length === 0) throw error;
          break; // decided again once the ones before it are recorded
        }
        after = decision.events.reduce(evolveWorkOrder, after);
        decided.push({ state: existingAfter(after), events: decision.events });
      }
      return decided.flatMap((d) => d.events);
    };
    const recorded = await handle(this.streamOf(id), id, decide, {
      // Each work-order event carries its command's actor, metadata and time (`recorder`).
      actor: WORK_ORDER_PRODUCER,
      // Opening a new work order needs no read: append with 'no_stream' and learn on a conflict.
      opens: steps[0].opens === true && !this.cache.has(id),
      with: () => (also ? [also] : []),
      told: () => decided.forEach((d, i) => tell(steps[i], d.state)),
      // A conflict on `also`'s stream: deciding the work order again would not help.
      beforeRetry: (conflict) => {
        if (conflictsOn(conflict.details, also)) throw conflict;
      },
    });
    if (recorded.events.length === 0) return decided.map((d) => ({ ...d, position: recorded.position }));
    this.cache.remember(id, { state: recorded.state, version: recorded.version, position: recorded.position });
    // The streams the events start are their owners' (docs/ledger.md, Who writes which stream).
    const started = await this.starts.ask(recorded.events);
    return decided.map((d) => ({ ...d, position: Math.max(recorded.position, started) }));
  }

  /** The work order `id` as the command handler's stream: loaded through the cache, committed with the ledger commits. */
  private streamOf(id: string): CommandStream<WorkOrderState, WorkOrderEvent> {
    return {
      def: workOrders,
      producer: WORK_ORDER_PRODUCER,
      load: (workOrderId) => this.load(workOrderId),
      commit: async (appends) => {
        try {
          return (await this.commits.commit({ appends })).position;
        } catch (error) {
          // Whatever failed, the cached state may be behind the ledger now.
          this.cache.delete(id);
          throw error;
        }
      },
    };
  }

  /**
   * A first page with the other loads of this turn; later pages alone. It is asked alone too when
   * the answer together is too large for one message, or when the batch subject is `unavailable`:
   * no ledger of this release answers it (during an upgrade), or the ledger is away (then the read
   * alone fails the same way, one request later).
   */
  private async readPage(request: Required<ReadStreamRequest>): Promise<ReadStreamResult> {
    if (request.fromVersion > 1) return this.pageAlone(request);
    try {
      return await this.reads.firstPage(request);
    } catch (error) {
      if (!isWorkgateError(error) || (error.code !== 'payload_too_large' && error.code !== 'unavailable')) throw error;
      return this.pageAlone(request);
    }
  }
}

/** Whether a version conflict is on `also`'s stream (deciding the work order again would not help). */
function conflictsOn(details: unknown, also: AppendRequest | undefined): boolean {
  return (
    !!also &&
    Array.isArray(details) &&
    details.some((d: unknown) => typeof d === 'object' && d !== null && 'streamId' in d && d.streamId === also.streamId)
  );
}
