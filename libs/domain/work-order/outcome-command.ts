import { EventOf } from '@workgate/contracts';
import { WorkOrderCommand } from './commands';

/** The aggregates whose events change their work order: an approval's decision, an exception's resolution. */
export type OutcomeStream = 'approval' | 'exception';

/** An event of an `<stream>-<id>` stream with the id it is recorded under and its version in that stream. */
export type StreamEventAt<S extends OutcomeStream> = EventOf<S> & {
  eventId: string;
  streamVersion: number;
  occurredAt?: string;
};

/**
 * What another aggregate's event asks of its work order: the command, who it is recorded as, its
 * id, the channel it comes by, and (once read from an append or the ledger) when the event occurred.
 */
export interface OutcomeCommand<C extends WorkOrderCommand = WorkOrderCommand> {
  commandId: string;
  actor: string;
  channel: 'approvals' | 'exceptions';
  command: C;
  occurredAt?: string;
}
