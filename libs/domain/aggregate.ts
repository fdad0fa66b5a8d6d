import { AppendRequest, EventOf, StreamType, streamId } from '@workgate/contracts';
import { deterministicUuid } from './ids';

/** An event as a decider returns it: typed by its stream, with the id it must be recorded under when that is fixed in advance. */
export type DomainEvent<S extends StreamType> = EventOf<S> & { eventId?: string };

/** What a command is decided with when it needs nothing from outside but its time. */
export interface Clock {
  now: string;
}

/**
 * An aggregate's pure definition, the same shape for all five: its stream type, how state starts
 * and evolves, how a command is decided into events (time and anything else from outside in
 * `context`, a `Clock` unless the aggregate needs more), and the id an event without one is
 * recorded under (from the stream, its version and type, so a retried command records nothing new).
 */
export interface Aggregate<S, C, E extends { type: string; eventId?: string }, X = Clock> {
  stream: StreamType;
  initial(): S;
  evolve(state: S, event: E): S;
  decide(command: C, state: S, context: X): E[];
  eventId(id: string, version: number, type: string): string;
}

/** The event id of the `version`th event of an aggregate's stream, when its decider fixed none. */
export const versionedEventId = (prefix: string) => (id: string, version: number, type: string) =>
  deterministicUuid(prefix, id, String(version), type);

/**
 * The one way decided events become a ledger append: the aggregate's stream `id`, expected at
 * `version` (0: the stream must not exist yet), each event under the id its decider fixed or the
 * aggregate's versioned id, with the command's metadata and time (an event that carries its own,
 * as a work order's does, keeps them).
 */
export function appendOf(
  aggregate: Pick<Aggregate<unknown, unknown, { type: string }, unknown>, 'stream' | 'eventId'>,
  id: string,
  version: number,
  events: ReadonlyArray<{ type: string; eventId?: string; data: object; metadata?: object; occurredAt?: string }>,
  recorded: { metadata: object; occurredAt: string },
): AppendRequest {
  return {
    streamId: streamId(aggregate.stream, id),
    expectedVersion: version === 0 ? 'no_stream' : version,
    events: events.map((e, i) => ({
      eventId: e.eventId ?? aggregate.eventId(id, version + i + 1, e.type),
      type: e.type,
      data: e.data,
      metadata: e.metadata ?? recorded.metadata,
      occurredAt: e.occurredAt ?? recorded.occurredAt,
    })),
  };
}
