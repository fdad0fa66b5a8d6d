import {
  ApprovalEvents,
  DelegationEvents,
  DueTimer,
  ExceptionEvents,
  PostReviewEvents,
  TimerKind,
  TimerKinds,
} from '@workgate/contracts';
import { HandledEvent, Handles } from './view-event';
import { projectionOf, View, ViewRows } from './view-projection';
import { Queryable, ViewTable } from './view-table';

const handles = {
  [ApprovalEvents.Requested]: 'approval',
  [ApprovalEvents.Granted]: 'approval',
  [ApprovalEvents.Conditioned]: 'approval',
  [ApprovalEvents.Rejected]: 'approval',
  [ApprovalEvents.Expired]: 'approval',
  [ApprovalEvents.Withdrawn]: 'approval',
  [PostReviewEvents.Created]: 'postreview',
  [PostReviewEvents.Overdue]: 'postreview',
  [PostReviewEvents.Completed]: 'postreview',
  [DelegationEvents.Dispatched]: 'delegation',
  [DelegationEvents.ReminderDue]: 'delegation',
  [DelegationEvents.Confirmed]: 'delegation',
  [DelegationEvents.TimedOut]: 'delegation',
  [ExceptionEvents.Raised]: 'exception',
  [ExceptionEvents.Resolved]: 'exception',
  [ExceptionEvents.SlaBreached]: 'exception',
  [ExceptionEvents.Escalated]: 'exception',
} as const satisfies Handles;

type TimerEvent = HandledEvent<typeof handles>;

/** The timer an event of a stream arms or disarms: one of each kind per stream. */
function kindOf(e: TimerEvent): TimerKind {
  switch (e.type) {
    case ApprovalEvents.Requested:
    case ApprovalEvents.Granted:
    case ApprovalEvents.Conditioned:
    case ApprovalEvents.Rejected:
    case ApprovalEvents.Expired:
    case ApprovalEvents.Withdrawn:
      return TimerKinds.approvalExpiry;
    case PostReviewEvents.Created:
    case PostReviewEvents.Overdue:
    case PostReviewEvents.Completed:
      return TimerKinds.postReviewOverdue;
    case DelegationEvents.Dispatched:
    case DelegationEvents.ReminderDue:
    case DelegationEvents.Confirmed:
    case DelegationEvents.TimedOut:
      return TimerKinds.delegation;
    default:
      return TimerKinds.exceptionSla;
  }
}

/** When the timer an event arms is due; null when the event disarms it. */
function dueAt(e: TimerEvent): string | null {
  switch (e.type) {
    case ApprovalEvents.Requested:
      return e.data.expiresAt;
    case PostReviewEvents.Created:
    case ExceptionEvents.Raised:
      return e.data.dueAt;
    // An exception's timer: its SLA, then (breached with an escalation rule) its escalation.
    case ExceptionEvents.SlaBreached:
      return e.data.escalateAt ?? null;
    case DelegationEvents.Dispatched:
      return e.data.reminders[0] ?? e.data.timeoutAt;
    case DelegationEvents.ReminderDue:
      return e.data.nextDueAt;
    default:
      return null;
  }
}

/** `view_timers`: the due time of every armed timer (a disarmed one has no row); schedulers ask it what is due. */
export const timersView: View<DueTimer, typeof handles, unknown> = {
  table: new ViewTable<DueTimer>('view_timers', 'timer_id', [
    ['timer_id', 'text', 'timerId'],
    ['kind', 'text', 'kind'],
    ['stream_id', 'text', 'streamId'],
    ['due_at', 'timestamptz', 'dueAt'],
  ]),
  handles,
  read: { by: 'none' },
  key: (row) => row.timerId,
  ids: (e) => [`${kindOf(e)}:${e.streamId}`],
  evolve: (_row, e, timerId) => {
    const due = dueAt(e);
    return due === null ? null : { timerId, kind: kindOf(e), streamId: e.streamId, dueAt: due };
  },
};

export const timersProjection = projectionOf('timers', () => ({ all: [new ViewRows(timersView)], ctx: undefined }), [
  timersView.table.name,
]);

export async function dueTimers(db: Queryable, kinds: TimerKind[], now: string, limit = 100): Promise<DueTimer[]> {
  const { rows } = await db.query<{ timer_id: string; kind: TimerKind; stream_id: string; due_at: Date }>(
    `SELECT timer_id, kind, stream_id, due_at FROM view_timers WHERE kind = ANY($1::text[]) AND due_at <= $2 ORDER BY due_at LIMIT $3`,
    [kinds, now, Math.min(Math.max(limit, 1), 1000)],
  );
  return rows.map((r) => ({ timerId: r.timer_id, kind: r.kind, streamId: r.stream_id, dueAt: r.due_at.toISOString() }));
}
