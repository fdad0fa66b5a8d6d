import { AppendRequest, idOfStream, RecordedEvent, refuse } from '@workgate/contracts';
import { approvalOutcomeOf } from './approval-outcomes';
import { exceptionOutcomeOf } from './exceptions';
import { OutcomeCommand, OutcomeStream, StreamEventAt } from './outcome-command';

export type { OutcomeCommand, OutcomeStream, StreamEventAt };

const OUTCOME_STREAMS: readonly OutcomeStream[] = ['approval', 'exception'];

/** An event of an approval's or an exception's stream, with the stream it is of. */
type OutcomeEvent =
  { stream: 'approval'; e: StreamEventAt<'approval'> } | { stream: 'exception'; e: StreamEventAt<'exception'> };

const streamOf = (streamId: string): OutcomeStream | undefined =>
  OUTCOME_STREAMS.find((s) => streamId.startsWith(`${s}-`));

/** A recorded event of a `<stream>-<id>` stream as that aggregate's decider's event (the ledger's event map types it). */
export function recordedEventOf<S extends OutcomeStream>(stream: S, e: RecordedEvent): StreamEventAt<S> {
  if (!isEventOfStream(stream, e))
    throw refuse('invalid_event', `${e.eventId} is an event of ${e.streamId}, not of an ${stream}`);
  return e;
}

/** Whether a recorded event is of a `<stream>-<id>` stream: the ledger records only the events its decider made from the event map. */
function isEventOfStream<S extends OutcomeStream>(stream: S, e: RecordedEvent): e is RecordedEvent & StreamEventAt<S> {
  return e.streamId.startsWith(`${stream}-`);
}

/** A recorded event of an `approval-<id>` stream as the approval decider's event. */
export const approvalEventOf = (e: RecordedEvent): StreamEventAt<'approval'> => recordedEventOf('approval', e);

/** The events of an append to a `<stream>-<id>` stream, each at the version it will have (the append names the version they follow). */
export function appendedEventsOf<S extends OutcomeStream>(stream: S, append: AppendRequest): Array<StreamEventAt<S>> {
  const { streamId, expectedVersion } = append;
  if (!streamId.startsWith(`${stream}-`) || typeof expectedVersion !== 'number')
    throw refuse('validation_failed', `an ${stream} commit appends to an ${stream} stream at a known version`);
  return append.events.map((e, i) => ({ ...e, streamVersion: expectedVersion + i + 1 }) as unknown as StreamEventAt<S>);
}

/**
 * The work order an append to an approval's or an exception's stream, decided on `state`, changes
 * too: its own, when the append causes any command there (a decision, a resolution); else none.
 */
export function workOrderChangedBy(
  state: { status: string; workOrderId?: string },
  append: AppendRequest,
): string | undefined {
  if (state.status === 'none' || !state.workOrderId) return undefined;
  return workOrderOutcomesOf(append).length > 0 ? state.workOrderId : undefined;
}

/** The work-order command a recorded event of an approval or an exception causes, or none (any other stream causes none here). */
export function recordedOutcomeOf(e: RecordedEvent): OutcomeCommand | undefined {
  const stream = streamOf(e.streamId);
  if (!stream) return undefined;
  const id = idOfStream(e.streamId);
  if (stream === 'approval') return outcomeOf(id, { stream, e: recordedEventOf(stream, e) });
  return outcomeOf(id, { stream, e: recordedEventOf(stream, e) });
}

/**
 * The work-order commands an append to an approval's or an exception's stream causes, in order: what
 * commits with it on its work order (an approval's outcome, an exception's resolution). Any other
 * stream, or an append at no known version, is refused.
 */
export function workOrderOutcomesOf(append: AppendRequest): OutcomeCommand[] {
  const stream = streamOf(append.streamId);
  if (!stream)
    throw refuse('validation_failed', `${append.streamId} is neither an approval's nor an exception's stream`);
  const id = idOfStream(append.streamId);
  if (stream === 'approval') return appendedEventsOf(stream, append).flatMap((e) => outcomeOf(id, { stream, e }) ?? []);
  return appendedEventsOf(stream, append).flatMap((e) => outcomeOf(id, { stream, e }) ?? []);
}

function outcomeOf(id: string, x: OutcomeEvent): OutcomeCommand | undefined {
  const outcome = x.stream === 'approval' ? approvalOutcomeOf(id, x.e) : exceptionOutcomeOf(id, x.e);
  return outcome && { ...outcome, ...(x.e.occurredAt ? { occurredAt: x.e.occurredAt } : {}) };
}
