import {
  ExceptionEvents,
  ExceptionListItem,
  ExceptionRef,
  idOfStream,
  ViewQuery,
  ViewRow,
  WorkgateError,
  WorkOrderEvents,
} from '@workgate/contracts';
import { byVersion, clamp, versionOf, window } from './query-filters';
import { Handles } from './view-event';
import { View } from './view-projection';
import { Queryable, ViewTable } from './view-table';
import { WorkOrderLookup, WorkOrderRow } from './work-orders.projection';

/** A stored row: the list's item without what is read from its work order, with its version and count of remediations. */
export interface ExceptionRow extends Omit<ExceptionListItem, 'externalRef' | 'source'> {
  version: number;
  remediationsTotal: number;
  /** When its work order was opened (the live map's window is on it). */
  openedAt: string;
}

const handles = {
  [WorkOrderEvents.Opened]: 'workorder',
  [WorkOrderEvents.StepBlocked]: 'workorder',
  [WorkOrderEvents.BreakGlassUsed]: 'workorder',
  [ExceptionEvents.Resolved]: 'exception',
  [ExceptionEvents.SlaBreached]: 'exception',
  [ExceptionEvents.Escalated]: 'exception',
  [ExceptionEvents.RemediationAdded]: 'exception',
  [ExceptionEvents.RemediationClosed]: 'exception',
} as const satisfies Handles;

const raised = (wo: WorkOrderRow, x: ExceptionRef, at: string): ExceptionRow => ({
  exceptionId: x.exceptionId,
  workOrderId: wo.id,
  jobType: wo.jobType,
  version: wo.version,
  code: x.code,
  owner: x.owner,
  stepId: x.stepId ?? null,
  raisedAt: at,
  dueAt: x.dueAt,
  resolvedAt: null,
  slaBreached: false,
  escalatedTo: null,
  escalatedAt: null,
  remediationsTotal: 0,
  remediationsOpen: 0,
  openedAt: wo.openedAt,
});

/** `view_exceptions`: every exception a work order raised (its prerequisites, blocked steps, break-glass) and what became of it. */
export const exceptionsView: View<ExceptionRow, typeof handles, WorkOrderLookup> = {
  table: new ViewTable<ExceptionRow>('view_exceptions', 'exception_id', [
    ['exception_id', 'uuid', 'exceptionId'],
    ['work_order_id', 'uuid', 'workOrderId'],
    ['job_type', 'text', 'jobType'],
    ['version', 'bigint', 'version'],
    ['code', 'text', 'code'],
    ['owner', 'text', 'owner'],
    ['step_id', 'text', 'stepId'],
    ['raised_at', 'timestamptz', 'raisedAt'],
    ['due_at', 'timestamptz', 'dueAt'],
    ['resolved_at', 'timestamptz', 'resolvedAt'],
    ['sla_breached', 'bool', 'slaBreached'],
    ['escalated_to', 'text', 'escalatedTo'],
    ['escalated_at', 'timestamptz', 'escalatedAt'],
    ['remediations_total', 'int', 'remediationsTotal'],
    ['remediations_open', 'int', 'remediationsOpen'],
    ['opened_at', 'timestamptz', 'openedAt'],
  ]),
  handles,
  read: { by: 'id' },
  key: (row) => row.exceptionId,
  ids: (e) => {
    switch (e.type) {
      case WorkOrderEvents.Opened:
        return e.data.exceptions.map((x) => x.exceptionId);
      case WorkOrderEvents.StepBlocked:
      case WorkOrderEvents.BreakGlassUsed:
        return [e.data.exceptionId];
      default:
        return [idOfStream(e.streamId)];
    }
  },
  evolve: (row, e, id, ctx) => {
    switch (e.type) {
      case WorkOrderEvents.Opened: {
        // Raised with the opening that made the work order's row, not with an opening seen again.
        const wo = ctx.workOrder(idOfStream(e.streamId));
        const x = e.data.exceptions.find((r) => r.exceptionId === id);
        return row ?? (wo?.lastPosition === e.position && x ? raised(wo, x, e.occurredAt) : null);
      }
      case WorkOrderEvents.StepBlocked:
      case WorkOrderEvents.BreakGlassUsed: {
        const wo = ctx.workOrder(idOfStream(e.streamId));
        return row ?? (wo ? raised(wo, e.data, e.occurredAt) : null);
      }
      case ExceptionEvents.Resolved:
        return row && { ...row, resolvedAt: row.resolvedAt ?? e.occurredAt };
      case ExceptionEvents.SlaBreached:
        return row && { ...row, slaBreached: true };
      case ExceptionEvents.Escalated:
        return row && { ...row, escalatedTo: e.data.escalatedTo, escalatedAt: row.escalatedAt ?? e.occurredAt };
      case ExceptionEvents.RemediationAdded:
        return (
          row && { ...row, remediationsTotal: row.remediationsTotal + 1, remediationsOpen: row.remediationsOpen + 1 }
        );
      case ExceptionEvents.RemediationClosed:
        return row && { ...row, remediationsOpen: Math.max(0, row.remediationsOpen - 1) };
      default: {
        const unhandled: never = e;
        return unhandled;
      }
    }
  },
};

/** exception-codes/top: the codes raised most in [from, to), with their owner and open remediations. */
export async function topCodes(db: Queryable, q: ViewQuery, asOf: string): Promise<ViewRow[]> {
  const w = window(q, asOf, 'raised_at');
  const at = w.param(asOf);
  const limit = w.param(clamp(q.limit, 10, 1000));
  // The owner is that of the code's latest exception in the window: one index probe per code
  // returned (on (code, raised_at)), cheaper than ordering every exception in an aggregate.
  const { rows } = await db.query<{
    code: string;
    version?: number;
    count: number;
    work_orders: number;
    owner: string;
    open_remediations: number;
    open: number;
  }>(
    `SELECT t.*, (SELECT e.owner FROM view_exceptions e WHERE ${w.conditions()} AND e.code = t.code ORDER BY e.raised_at DESC LIMIT 1) AS owner
       FROM (SELECT code${byVersion(q)}, count(*)::int AS count, count(DISTINCT work_order_id)::int AS work_orders,
                    sum(remediations_open)::int AS open_remediations,
                    count(*) FILTER (WHERE resolved_at IS NULL OR resolved_at > ${at})::int AS open
               FROM view_exceptions ${w.sql}
              GROUP BY code${byVersion(q)} ORDER BY count DESC, code${byVersion(q)} LIMIT ${limit}) t
      ORDER BY t.count DESC, t.code${q.groupBy === 'version' ? ', t.version' : ''}`,
    w.params,
  );
  return rows.map((r) => ({
    code: r.code,
    ...versionOf(q, r),
    count: r.count,
    workOrders: r.work_orders,
    owner: r.owner,
    openRemediations: r.open_remediations,
    open: r.open,
  }));
}

/** exception-trends: exceptions raised per code per day, week (from Monday) or month, oldest first. */
export async function trends(db: Queryable, q: ViewQuery, asOf: string): Promise<ViewRow[]> {
  const interval = q.interval ?? 'day';
  if (!['day', 'week', 'month'].includes(interval))
    throw new WorkgateError('validation_failed', 'interval must be day, week or month');
  const w = window(q, asOf, 'raised_at').add('code = ?', q.code);
  const { rows } = await db.query<{ period: string; code: string; version?: number; count: number }>(
    `SELECT to_char(date_trunc('${interval}', raised_at), 'YYYY-MM-DD') AS period, code${byVersion(q)}, count(*)::int AS count
       FROM view_exceptions ${w.sql} GROUP BY 1, code${byVersion(q)} ORDER BY 1, code${byVersion(q)}`,
    w.params,
  );
  return rows.map((r) => ({ period: r.period, code: r.code, ...versionOf(q, r), count: r.count }));
}
