import { WorkOrder, WorkOrderEvent, WorkOrderState } from '@workgate/domain';

/** A work order as loaded: its state, the stream's version (the next append's expected version) and its last event's position. */
export interface Loaded {
  state: WorkOrderState;
  version: number;
  position: number;
}

/** What a command records on its work order (the streams those events start are their owners' to start). */
export interface Decision {
  events: WorkOrderEvent[];
}

/** One command as the store runs it: how it is decided on the state it finds, and who hears the outcome before the commit. */
export interface Step {
  decide(state: WorkOrderState): Decision | Promise<Decision>;
  /** Told the state after the command once it is decided, before its commit (a caller that forwards early). */
  told?: (after: WorkOrder) => void;
  /** An opening: a work order this instance does not hold is appended as new without a read (a conflict says otherwise). */
  opens?: boolean;
}

/**
 * A command recorded: the work order after it, its own events, and the ledger position of the
 * commit (or of the last event when it recorded nothing), or of the streams the commit's events
 * started when their owners started them later.
 */
export interface Handled {
  state: WorkOrder;
  events: WorkOrderEvent[];
  position: number;
}

/** Commands run in order: those recorded, and the error that stopped the rest. */
export interface InOrder {
  handled: Handled[];
  error?: unknown;
}
