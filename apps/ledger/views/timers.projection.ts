import { PoolClient } from 'pg';
import {
  ApprovalEvents,
  DelegationEvents,
  DueTimer,
  ExceptionEvents,
  PostReviewEvents,
  RecordedEvent,
  TimerKind,
  TimerKinds,
} from '@workgate/contracts';
import { Projection, TableName } from '@workgate/event-store';

/** A change to the armed timers: arm (or move) one, or disarm it. */
type TimerChange = { arm: DueTimer } | { disarm: string };

/** evolve: which timer an event arms or disarms (pure). */
export function timerChange(e: RecordedEvent): TimerChange | null {
  const id = (kind: TimerKind) => `${kind}:${e.streamId}`;
  switch (e.type) {
    case ApprovalEvents.Requested:
      return {
        arm: {
          timerId: id(TimerKinds.approvalExpiry),
          kind: TimerKinds.approvalExpiry,
          streamId: e.streamId,
          dueAt: String((e.data as { expiresAt: string }).expiresAt),
        },
      };
    case ApprovalEvents.Granted:
    case ApprovalEvents.Conditioned:
    case ApprovalEvents.Rejected:
    case ApprovalEvents.Expired:
      return { disarm: id(TimerKinds.approvalExpiry) };
    case PostReviewEvents.Created:
      return {
        arm: {
          timerId: id(TimerKinds.postReviewOverdue),
          kind: TimerKinds.postReviewOverdue,
          streamId: e.streamId,
          dueAt: String((e.data as { dueAt: string }).dueAt),
        },
      };
    case PostReviewEvents.Overdue:
    case PostReviewEvents.Completed:
      return { disarm: id(TimerKinds.postReviewOverdue) };
    case DelegationEvents.Dispatched: {
      const d = e.data as { reminders: string[]; timeoutAt: string };
      return {
        arm: {
          timerId: id(TimerKinds.delegation),
          kind: TimerKinds.delegation,
          streamId: e.streamId,
          dueAt: d.reminders[0] ?? d.timeoutAt,
        },
      };
    }
    case DelegationEvents.ReminderDue:
      return {
        arm: {
          timerId: id(TimerKinds.delegation),
          kind: TimerKinds.delegation,
          streamId: e.streamId,
          dueAt: String((e.data as { nextDueAt: string }).nextDueAt),
        },
      };
    case DelegationEvents.Confirmed:
    case DelegationEvents.TimedOut:
      return { disarm: id(TimerKinds.delegation) };
    case ExceptionEvents.Raised:
      return {
        arm: {
          timerId: id(TimerKinds.exceptionSla),
          kind: TimerKinds.exceptionSla,
          streamId: e.streamId,
          dueAt: String((e.data as { dueAt: string }).dueAt),
        },
      };
    case ExceptionEvents.Resolved:
    case ExceptionEvents.SlaBreached:
      return { disarm: id(TimerKinds.exceptionSla) };
    default:
      return null;
  }
}

/** `view_timers`: the due time of every armed timer; schedulers ask it what is due. */
export const timersProjection: Projection = {
  name: 'timers',
  types: [
    ApprovalEvents.Requested,
    ApprovalEvents.Granted,
    ApprovalEvents.Conditioned,
    ApprovalEvents.Rejected,
    ApprovalEvents.Expired,
    PostReviewEvents.Created,
    PostReviewEvents.Overdue,
    PostReviewEvents.Completed,
    DelegationEvents.Dispatched,
    DelegationEvents.ReminderDue,
    DelegationEvents.Confirmed,
    DelegationEvents.TimedOut,
    ExceptionEvents.Raised,
    ExceptionEvents.Resolved,
    ExceptionEvents.SlaBreached,
  ],
  tables: ['view_timers'],
  async apply(client: PoolClient, events: RecordedEvent[], table: TableName = (t) => t): Promise<void> {
    // Fold the page: the last change per timer wins.
    const last = new Map<string, TimerChange>();
    for (const e of events) {
      const change = timerChange(e);
      if (change) last.set('arm' in change ? change.arm.timerId : change.disarm, change);
    }
    const armed = [...last.values()].filter((c): c is { arm: DueTimer } => 'arm' in c).map((c) => c.arm);
    const disarmed = [...last.entries()].filter(([, c]) => 'disarm' in c).map(([timerId]) => timerId);
    if (armed.length) {
      await client.query(
        `INSERT INTO ${table('view_timers')} (timer_id, kind, stream_id, due_at)
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[])
         ON CONFLICT (timer_id) DO UPDATE SET due_at = EXCLUDED.due_at`,
        [
          armed.map((t) => t.timerId),
          armed.map((t) => t.kind),
          armed.map((t) => t.streamId),
          armed.map((t) => t.dueAt),
        ],
      );
    }
    if (disarmed.length)
      await client.query(`DELETE FROM ${table('view_timers')} WHERE timer_id = ANY($1::text[])`, [disarmed]);
  },
};

export async function dueTimers(
  client: { query: PoolClient['query'] },
  kinds: TimerKind[],
  now: string,
  limit = 100,
): Promise<DueTimer[]> {
  const { rows } = await client.query(
    `SELECT timer_id, kind, stream_id, due_at FROM view_timers WHERE kind = ANY($1::text[]) AND due_at <= $2 ORDER BY due_at LIMIT $3`,
    [kinds, now, Math.min(Math.max(limit, 1), 1000)],
  );
  return rows.map((r) => ({
    timerId: r.timer_id,
    kind: r.kind,
    streamId: r.stream_id,
    dueAt: (r.due_at as Date).toISOString(),
  }));
}
