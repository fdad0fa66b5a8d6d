import {
  AppendRequest,
  isUuid,
  isWorkgateError,
  MAX_START_CAUSES,
  RecordedEvent,
  refuse,
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

/**
 * The streams a service owns that committed work-order events start (docs/ledger.md, Who writes
 * which stream): decided by the owner from the events as the ledger recorded them, with ids
 * derived from each cause, so the ask of intake and the owner's own ledger reaction start the very
 * same streams, whichever comes first, and the other writes nothing.
 */
export class StreamStarts {
  constructor(
    private readonly rpc: RpcClient,
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
    const causes = await Promise.all(ids.map((eventId) => this.rpc.request(Subjects.ledger.getEvent, { eventId })));
    const appends = (await Promise.all(causes.map((e) => this.appendsOf(e)))).flat();
    const positions = await Promise.all(appends.map((a) => this.append(a)));
    return { streamIds: appends.map((a) => a.streamId), position: Math.max(0, ...positions) };
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
        for (const append of await this.appendsOf(e))
          if ((await this.startedAt(append)) === 0) await this.append(append);
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

  /** Appends a start; a stream started already answers the position of its first events. */
  private async append(append: AppendRequest): Promise<number> {
    try {
      const appended = await this.rpc.request(Subjects.ledger.append, append);
      return appended.positions[appended.positions.length - 1];
    } catch (error) {
      if (!startedAlready(error)) throw error;
      const at = await this.startedAt(append);
      if (at === 0) throw error;
      return at;
    }
  }

  /** The position of the last of a started stream's first events; 0 while it is not started. */
  private async startedAt(append: AppendRequest): Promise<number> {
    const { events } = await this.rpc.request(Subjects.ledger.readStream, {
      streamId: append.streamId,
      fromVersion: 1,
      limit: append.events.length,
    });
    return events.length === 0 ? 0 : events[events.length - 1].position;
  }
}
