import { EventOf, RecordedEvent, refuse } from '@workgate/contracts';

/** Who caused a work-order event and through which command (a retried command is recognised by its id). */
export interface EventMeta {
  commandId: string;
  actor: string;
  channel: string;
  /** The W3C trace context the command was handled in (with tracing on). */
  traceparent?: string;
  /** The issuer and subject of an actor signed in with OpenID Connect. */
  issuer?: string;
  subject?: string;
  /** The service that decided it: `intake` (docs/ledger.md, Table); events of earlier versions name none. */
  producer?: string;
}

/** A work-order event as recorded: typed by the ledger's event map, with its id, cause and time. */
export type WorkOrderEvent = EventOf<'workorder'> & { eventId: string; metadata: EventMeta; occurredAt: string };

/** A recorded event of a `workorder-<id>` stream as the decider's event (the ledger's event map types it). */
export function workOrderEventOf(e: RecordedEvent): WorkOrderEvent {
  if (!isWorkOrderStreamEvent(e))
    throw refuse('invalid_event', `${e.eventId} is an event of ${e.streamId}, not of a work order`);
  return e;
}

/** Whether a recorded event is of a `workorder-<id>` stream: the ledger records only the events the work-order decider made from the event map. */
function isWorkOrderStreamEvent(e: RecordedEvent): e is RecordedEvent & WorkOrderEvent {
  return e.streamId.startsWith('workorder-');
}
