import { EventOf, StreamType } from '@workgate/contracts';
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
