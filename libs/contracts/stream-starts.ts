/**
 * `workgate.approvals.start`, `workgate.exceptions.start`: intake, once it has committed work-order
 * events that start other services' streams (a gate's approval, a break-glass's exception and
 * post-review, a delegation), asks each owner to start its own (docs/ledger.md, Who writes which
 * stream). The owner reads the events from the ledger by id and decides the streams' first events
 * itself, with ids derived from the cause: asked again, or after its ledger reaction already
 * started them, it answers them as started and writes nothing.
 */
export interface StartStreamsRequest {
  /** Ids of committed work-order events (at most MAX_START_CAUSES). */
  eventIds: string[];
}

/** The streams started for the events asked about, and the ledger position that covers them all (0: none). */
export interface StartedStreams {
  streamIds: string[];
  position: number;
}

/** Events one request may name: a command's commit holds at most this many work-order events. */
export const MAX_START_CAUSES = 1000;
