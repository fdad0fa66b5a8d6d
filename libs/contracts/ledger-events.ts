/**
 * Every ledger event, declared once: stream type -> event type -> data. A stream's id is
 * `<streamType>-<id>`; the relay publishes each committed event on `ledger.<streamType>.<eventType>`.
 */
import { ApprovalEventMap, DelegationEventMap, PostReviewEventMap } from './approval.events';
import { IntakeEventMap } from './cloud-events';
import { CatalogEventMap, DriftEventMap, ExceptionEventMap } from './exception.events';
import { WorkflowEventMap } from './workflow-change';
import type { PatternEventMap } from './patterns';
import { refuse } from './errors';
import { RecordedEvent } from './ledger';
import type { ProofEventMap } from './proof-package';
import { WorkOrderEventMap } from './work-order.events';

export interface LedgerEventMap {
  workorder: WorkOrderEventMap;
  approval: ApprovalEventMap;
  postreview: PostReviewEventMap;
  delegation: DelegationEventMap;
  exception: ExceptionEventMap;
  drift: DriftEventMap;
  catalog: CatalogEventMap;
  workflow: WorkflowEventMap;
  pattern: PatternEventMap;
  rejections: IntakeEventMap;
  proof: ProofEventMap;
}

export type StreamType = keyof LedgerEventMap;
export type EventType<S extends StreamType> = keyof LedgerEventMap[S] & string;
export type EventData<S extends StreamType, T extends EventType<S>> = LedgerEventMap[S][T];

/** The events of one stream type as a union discriminated by `type`. */
export type EventOf<S extends StreamType> = {
  [T in EventType<S>]: { type: T; data: LedgerEventMap[S][T] };
}[EventType<S>];

/** The id of a stream: `<streamType>-<id>`. */
export function streamId(type: StreamType, id: string): string {
  return `${type}-${id}`;
}

export const workOrderStream = (id: string) => streamId('workorder', id);
export const approvalStream = (id: string) => streamId('approval', id);
export const postReviewStream = (id: string) => streamId('postreview', id);
export const delegationStream = (dispatchId: string) => streamId('delegation', dispatchId);
export const exceptionStream = (id: string) => streamId('exception', id);
export const driftStream = (signalId: string) => streamId('drift', signalId);
/** The issuance records of a work order's proof packages (written by intake, which makes them). */
export const proofStream = (workOrderId: string) => streamId('proof', workOrderId);
export const workflowStream = (jobType: string) => streamId('workflow', jobType);
/** A pattern's versions (docs/patterns.md). */
export const patternStream = (name: string) => streamId('pattern', name);
/** The one stream of the exception-code catalog. */
export const CATALOG_STREAM = streamId('catalog', 'exception-codes');

/** The id part of a stream id (`approval-<id>` -> `<id>`). */
export function idOfStream(id: string): string {
  return id.slice(id.indexOf('-') + 1);
}

/** Subject the relay publishes an event of one type of one stream type on. */
export function ledgerEventSubject<S extends StreamType>(stream: S, type: EventType<S>): string {
  return `ledger.${stream}.${type}`;
}

/** Every event of one stream type. */
export function ledgerStreamSubjects(stream: StreamType): string {
  return `ledger.${stream}.>`;
}

/** Subject an appended ledger event is published on: `ledger.<streamType>.<eventType>`, from its stream id and type as recorded. */
export function ledgerSubject(streamId: string, eventType: string): string {
  const dash = streamId.indexOf('-');
  const streamType = dash > 0 ? streamId.slice(0, dash) : streamId;
  return `ledger.${token(streamType)}.${token(eventType)}`;
}

/** NATS subject tokens may not contain dots, spaces or wildcards. */
function token(value: string): string {
  return value.replace(/[.\s*>]/g, '_') || '_';
}

/** A recorded event as the ledger's event map types it for its stream type, when it is of that type (else undefined). */
export function eventOf<S extends StreamType, T extends EventType<S>>(
  e: RecordedEvent,
  stream: S,
  type: T,
): (RecordedEvent & { type: T; data: EventData<S, T> }) | undefined {
  return isEventOf(e, stream, type) ? e : undefined;
}

/**
 * Whether a recorded event is of this stream type and event type: its data is then what the event
 * map declares for them (the ledger records only events its deciders made from that map).
 */
export function isEventOf<S extends StreamType, T extends EventType<S>>(
  e: RecordedEvent,
  stream: S,
  type: T,
): e is RecordedEvent & { type: T; data: EventData<S, T> } {
  return e.type === type && e.streamId.startsWith(`${stream}-`);
}

/** The data of a recorded event of a known stream type and event type; a refusal when the event is another. */
export function dataOf<S extends StreamType, T extends EventType<S>>(
  e: RecordedEvent,
  stream: S,
  type: T,
): EventData<S, T> {
  const typed = eventOf(e, stream, type);
  if (!typed) throw refuse('invalid_event', `expected a ${type} of a ${stream} stream, got ${e.type} of ${e.streamId}`);
  return typed.data;
}
