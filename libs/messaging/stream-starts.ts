import {
  AppendRequest,
  isUuid,
  isWorkgateError,
  MAX_START_CAUSES,
  RecordedEvent,
  refuse,
  rememberRecent,
  StartedStreams,
  StartStreamsRequest,
  Subjects,
} from '@workgate/contracts';
import { startAppendsOwnedBy, StreamOwner, WorkOrderEvent, workOrderEventOf } from '@workgate/domain';
import { LedgerReaction } from './ledger-reaction';
import { RpcClient } from './rpc-client';

/** Whether an append was refused because its stream exists (started already, by an ask or a reaction). */
const startedAlready = (error: unknown) =>
  isWorkgateError(error) && (error.code === 'version_conflict' || error.code === 'duplicate_event_id');

/** What starting streams asks of the ledger. */
export interface StartsLedger {
  getEvent(eventId: string): Promise<RecordedEvent>;
  /** The position of each event appended. */
  append(append: AppendRequest): Promise<number[]>;
  /** The positions of a stream's first `limit` events (none: no such stream). */
  firstPositions(streamId: string, limit: number): Promise<number[]>;
}

/** The ledger's requests over the service's RPC client. */
export function startsLedgerOver(rpc: RpcClient): StartsLedger {
  return {
    getEvent: (eventId) => rpc.request(Subjects.ledger.getEvent, { eventId }),
    append: async (append) => (await rpc.request(Subjects.ledger.append, append)).positions,
    firstPositions: async (streamId, limit) =>
      (await rpc.request(Subjects.ledger.readStream, { streamId, fromVersion: 1, limit })).events.map(
        (e) => e.position,
      ),
  };
}

/** How many causes' starts a service remembers (under way or done): enough for the ask and the reaction of one cause to meet. */
const RECENT_CAUSES = 10_000;

/**
 * The streams a service owns that committed work-order events start (docs/ledger.md, Who writes
 * which stream): decided by the owner from the events as the ledger recorded them, with ids
 * derived from each cause, so the ask of intake and the owner's own ledger reaction start the very
 * same streams, whichever comes first, and the other writes nothing.
 */
export class StreamStarts {
  /**
   * The starts under way or done lately, by cause event id: the ask and the reaction of one cause
   * wait for the same start instead of both appending it (one of the two would be refused). A
   * start that failed is forgotten: whoever comes next tries again.
   */
  private readonly byCause = new Map<string, Promise<StartedStreams>>();

  constructor(
    private readonly ledger: StartsLedger,
    private readonly owner: StreamOwner,
  ) {}

  /** What a started stream is decided with besides its cause: the approval timeout of the work order's workflow version. */
  protected workflowOf(_e: WorkOrderEvent): Promise<{ approvalTimeoutMs: number }> {
    return Promise.resolve({ approvalTimeoutMs: 0 });
  }

  /** Intake's ask: the events named, read from the ledger, have their streams started; the answer's position covers them. */
  async start(req: StartStreamsRequest): Promise<StartedStreams> {
    const ids = req?.eventIds;
    if (!Array.isArray(ids) || ids.length > MAX_START_CAUSES || !ids.every(isUuid))
      throw refuse('validation_failed', `eventIds must be an array of at most ${MAX_START_CAUSES} event ids (UUIDs)`);
    const started = await Promise.all(
      ids.map((eventId) =>
        this.once(eventId, async () => this.startOf(await this.ledger.getEvent(eventId), (a) => this.append(a))),
      ),
    );
    return {
      streamIds: started.flatMap((s) => s.streamIds),
      position: Math.max(0, ...started.map((s) => s.position)),
    };
  }

  /**
   * The ledger reaction that starts this owner's streams for every event of `subject` (the path
   * when intake's ask did not reach this service, and for events an earlier version recorded
   * alone). A stream found started is left as it is: a read, not an append the writer would refuse.
   */
  reaction(durable: string, subject: string, mayConcern?: (raw: Uint8Array) => boolean): LedgerReaction {
    return {
      durable,
      subject,
      ...(mayConcern ? { mayConcern } : {}),
      react: async (e) => {
        await this.once(e.eventId, () =>
          this.startOf(e, async (append) => (await this.startedAt(append)) || this.append(append)),
        );
        return { kind: 'ack' };
      },
    };
  }

  /** The appends that start this owner's streams of a recorded event (none for the events of other services' streams). */
  appendsOf(e: RecordedEvent): Promise<AppendRequest[]> {
    return this.appendsOfEvent(workOrderEventOf(e));
  }

  /** The appends that start this owner's streams of a work-order event. */
  async appendsOfEvent(event: WorkOrderEvent): Promise<AppendRequest[]> {
    return startAppendsOwnedBy(this.owner, event, await this.workflowOf(event));
  }

  /** The start of a cause, or the one under way or done for it already. */
  private once(eventId: string, start: () => Promise<StartedStreams>): Promise<StartedStreams> {
    const known = this.byCause.get(eventId);
    if (known) return known;
    const started = start();
    rememberRecent(this.byCause, eventId, started, RECENT_CAUSES);
    started.catch(() => {
      if (this.byCause.get(eventId) === started) this.byCause.delete(eventId);
    });
    return started;
  }

  /** Starts this owner's streams of a recorded event, each with `append`; the position covers them all. */
  private async startOf(e: RecordedEvent, append: (a: AppendRequest) => Promise<number>): Promise<StartedStreams> {
    const appends = await this.appendsOf(e);
    const positions = await Promise.all(appends.map(append));
    return { streamIds: appends.map((a) => a.streamId), position: Math.max(0, ...positions) };
  }

  /** Appends a start; a stream started already answers the position of its first events. */
  private async append(append: AppendRequest): Promise<number> {
    try {
      const positions = await this.ledger.append(append);
      return positions[positions.length - 1];
    } catch (error) {
      if (!startedAlready(error)) throw error;
      const at = await this.startedAt(append);
      if (at === 0) throw error;
      return at;
    }
  }

  /** The position of the last of a started stream's first events; 0 while it is not started. */
  private async startedAt(append: AppendRequest): Promise<number> {
    const positions = await this.ledger.firstPositions(append.streamId, append.events.length);
    return positions.length === 0 ? 0 : positions[positions.length - 1];
  }
}
