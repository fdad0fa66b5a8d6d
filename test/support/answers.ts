import { eventOf } from '@workgate/contracts';
import type {
  EventData,
  EventType,
  FieldProblem,
  IngestOutcome,
  LedgerHealthDetails,
  OpenedAnswer,
  RecordedEvent,
  ViewRow,
} from '@workgate/contracts';
import type { ErrorBody } from '../../apps/gateway/http/error.filter';

/** The one error body of the HTTP API (docs/api.md, Conventions (errors)). */
export type { ErrorBody };

/** What POST /v1/events answers: how many events were accepted, and each one's outcome in order. */
export interface IngestAnswer {
  accepted: number;
  results: IngestOutcome[];
}

/** A work order's event of one type, its data typed by the ledger's event map. */
export type WorkOrderEvent<T extends EventType<'workorder'>> = RecordedEvent & {
  type: T;
  data: EventData<'workorder', T>;
};

/** Every event of `type` among a work order's events (GET /v1/work-orders/:id/events), in order. */
export function eventsOfType<T extends EventType<'workorder'>>(
  events: readonly RecordedEvent[],
  type: T,
): Array<WorkOrderEvent<T>> {
  return events.flatMap((e) => eventOf(e, 'workorder', type) ?? []);
}

/** The first event of `type` among a work order's events; fails, naming it, when there is none. */
export function firstOfType<T extends EventType<'workorder'>>(
  events: readonly RecordedEvent[],
  type: T,
): WorkOrderEvent<T> {
  const [first] = eventsOfType(events, type);
  if (!first) throw new Error(`no ${type} among ${events.map((e) => e.type).join(', ')}`);
  return first;
}

/** The one item that matches; fails, naming what was looked for, when none does. */
export function found<T>(items: readonly T[], match: (item: T) => boolean, what: string): T {
  const item = items.find(match);
  if (item === undefined) throw new Error(`no ${what}`);
  return item;
}

/** `value` when it is there; fails, naming what is missing, when it is not. */
export function defined<T>(value: T | null | undefined, what: string): T {
  if (value === undefined || value === null) throw new Error(`no ${what}`);
  return value;
}

/** What POST /v1/events answers when it refuses: each refused event's outcome, with the id of its kept rejection. */
export type IntakeRefusal = ErrorBody & { details: Array<Extract<IngestOutcome, { ok: false }>> };

/** The `error` code of a body when it is an error body of the API, else undefined. */
export function errorCodeOf(body: unknown): string | undefined {
  return typeof body === 'object' && body !== null && 'error' in body && typeof body.error === 'string'
    ? body.error
    : undefined;
}

/** One component's entry in the health report: its status and, for an ops lead, the ledger's details. */
export type ComponentHealth = { status: string } & Partial<LedgerHealthDetails>;

/** The health report /health answers (with 200) or carries as the one detail of its 503. */
export interface HealthAnswer {
  status: 'ok' | 'error';
  info: Record<string, ComponentHealth>;
  error: Record<string, ComponentHealth>;
  details: Record<string, ComponentHealth>;
}

/** What /health answers with 503: an error body whose one detail is the health report. */
export type HealthRefusal = ErrorBody & { details: [HealthAnswer] };

/** A view row's column when it is text (the views answer ids and names as text), else undefined. */
export function textOf(row: ViewRow | undefined, column: string): string | undefined {
  const value = row?.[column];
  return typeof value === 'string' ? value : undefined;
}

/** The `reasons` of a refused CloudEvent's outcome (an error detail of POST /v1/events), when it has them. */
export function reasonsOf(detail: unknown): string[] | undefined {
  return typeof detail === 'object' &&
    detail !== null &&
    'reasons' in detail &&
    Array.isArray(detail.reasons) &&
    detail.reasons.every((r) => typeof r === 'string')
    ? detail.reasons
    : undefined;
}

/** The details of an error body that are field problems (`{ path, message }`), in order. */
export function fieldProblemsOf(details: readonly unknown[] | undefined): FieldProblem[] {
  return (details ?? []).filter(
    (d): d is FieldProblem =>
      typeof d === 'object' &&
      d !== null &&
      'path' in d &&
      typeof d.path === 'string' &&
      'message' in d &&
      typeof d.message === 'string',
  );
}

/** The work order an accepted `workgate.workorder.open` event opened; fails, with the reasons, for any other outcome. */
export function openedBy(outcome: IngestOutcome | undefined): OpenedAnswer {
  if (!outcome) throw new Error('no outcome');
  if (!outcome.ok) throw new Error(`the event was refused: ${outcome.reasons.join('; ')}`);
  const answer = outcome.answer;
  if (!('prerequisites' in answer)) throw new Error(`the event opened no work order: ${JSON.stringify(answer)}`);
  return answer;
}
