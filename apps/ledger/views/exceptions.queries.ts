import { ExceptionListItem, ExceptionListQuery, ViewQuery, ViewRow, WorkgateError } from '@workgate/contracts';
import { clamp, versionOf, Where, window } from './query-filters';
import { iso, Queryable } from './view-table';

/** The columns of an exception both the list and the view read, with its work order's source and reference. */
interface ExceptionColumns {
  exception_id: string;
  work_order_id: string;
  job_type: string;
  code: string;
  owner: string;
  step_id: string | null;
  raised_at: Date;
  due_at: Date;
  resolved_at: Date | null;
  escalated_to: string | null;
  escalated_at: Date | null;
  source: string | null;
  external_ref: string | null;
}

/** The work order's source and reference of each exception row. */
const WORK_ORDER_REF = `(SELECT wo.source FROM view_work_orders wo WHERE wo.id = e.work_order_id) AS source,
            (SELECT wo.external_ref FROM view_work_orders wo WHERE wo.id = e.work_order_id) AS external_ref`;

const fields = (r: ExceptionColumns) => ({
  exceptionId: r.exception_id,
  workOrderId: r.work_order_id,
  jobType: r.job_type,
  code: r.code,
  owner: r.owner,
  stepId: r.step_id ?? null,
  raisedAt: r.raised_at.toISOString(),
  dueAt: r.due_at.toISOString(),
  resolvedAt: iso(r.resolved_at),
  escalatedTo: r.escalated_to ?? null,
  escalatedAt: iso(r.escalated_at),
});

/** Exceptions by owner (or escalated to one principal), the soonest due first, with the work order's reference; the open ones unless `status` says otherwise. */
export async function listExceptions(db: Queryable, q: ExceptionListQuery): Promise<ExceptionListItem[]> {
  const status = q.status ?? 'open';
  if (!['open', 'resolved', 'all'].includes(status))
    throw new WorkgateError('validation_failed', 'status must be open, resolved or all');
  const w = new Where().add('e.owner = ?', q.owner).add('e.escalated_to = ?', q.escalatedTo);
  if (status === 'open') w.also('e.resolved_at IS NULL');
  if (status === 'resolved') w.also('e.resolved_at IS NOT NULL');
  if (q.after) {
    const [owner, dueAt, id] = [w.param(q.after.owner), w.param(q.after.dueAt), w.param(q.after.exceptionId)];
    w.also(`(e.owner, e.due_at, e.exception_id) > (${owner}, ${dueAt}::timestamptz, ${id}::uuid)`);
  }
  const { rows } = await db.query<ExceptionColumns & { sla_breached: boolean; remediations_open: number }>(
    `SELECT e.*, ${WORK_ORDER_REF} FROM view_exceptions e ${w.sql}
      ORDER BY e.owner, e.due_at, e.exception_id LIMIT ${w.param(clamp(q.limit, 500, 1001))}`,
    w.params,
  );
  return rows.map((r) => ({
    ...fields(r),
    externalRef: r.external_ref ?? '',
    source: r.source ?? '',
    slaBreached: r.sla_breached,
    remediationsOpen: r.remediations_open,
  }));
}

/** The filters of the exceptions view: the window on raisedAt, the job type, and where each stood at asOf (`at`, its parameter). */
function viewFilters(q: ViewQuery, asOf: string): { w: Where; at: string } {
  const status = q.status ?? 'all';
  if (!['open', 'resolved', 'all'].includes(status))
    throw new WorkgateError('validation_failed', 'status must be open, resolved or all');
  if (q.escalated !== undefined && typeof q.escalated !== 'boolean')
    throw new WorkgateError('validation_failed', 'escalated must be true or false');
  const w = window(q, asOf, 'raised_at').add('code = ?', q.code).add('owner = ?', q.owner);
  const at = w.param(asOf);
  if (status === 'open') w.also(`(resolved_at IS NULL OR resolved_at > ${at})`);
  if (status === 'resolved') w.also(`resolved_at <= ${at}`);
  if (q.escalated === true) w.also(`escalated_at <= ${at}`);
  if (q.escalated === false) w.also(`(escalated_at IS NULL OR escalated_at > ${at})`);
  return { w, at };
}

/**
 * exceptions: the exceptions raised in [from, to) by asOf, oldest first, each as it stood at asOf:
 * open or resolved, past its SLA, and escalated (to whom, when). `escalated=true` keeps the
 * escalated ones: their count is the number of escalations.
 */
export async function exceptionRows(db: Queryable, q: ViewQuery, asOf: string): Promise<ViewRow[]> {
  const { w, at } = viewFilters(q, asOf);
  const { rows } = await db.query<ExceptionColumns & { version: number; breached: boolean }>(
    `SELECT exception_id, work_order_id, job_type, version, code, owner, step_id, raised_at, due_at,
            CASE WHEN resolved_at <= ${at} THEN resolved_at END AS resolved_at,
            sla_breached AND due_at <= ${at} AS breached,
            CASE WHEN escalated_at <= ${at} THEN escalated_to END AS escalated_to,
            CASE WHEN escalated_at <= ${at} THEN escalated_at END AS escalated_at,
            ${WORK_ORDER_REF}
       FROM view_exceptions e ${w.sql}
      ORDER BY raised_at, exception_id LIMIT ${w.param(clamp(q.limit, 1000, 10_000))}`,
    w.params,
  );
  return rows.map((r) => {
    const f = fields(r);
    // In the view's column order (its CSV header).
    return {
      exceptionId: f.exceptionId,
      ...versionOf(q, r),
      workOrderId: f.workOrderId,
      jobType: f.jobType,
      code: f.code,
      owner: f.owner,
      stepId: f.stepId,
      status: r.resolved_at ? 'resolved' : 'open',
      raisedAt: f.raisedAt,
      dueAt: f.dueAt,
      resolvedAt: f.resolvedAt,
      slaBreached: r.breached,
      escalated: r.escalated_at !== null,
      escalatedTo: f.escalatedTo,
      escalatedAt: f.escalatedAt,
      source: r.source ?? null,
      externalRef: r.external_ref ?? null,
    };
  });
}

/** What `escalatedCounts` counts: exceptions of a job type (and version) raised in [from, to). */
export interface EscalationCountQuery {
  jobType: string;
  version?: number;
  from?: string;
  to?: string;
}

/**
 * Per exception code, how many exceptions raised in the window were escalated by asOf (codes with
 * none are absent): the `escalated` of an exception code's live numbers on the workflow map.
 */
export async function escalatedCounts(
  db: Queryable,
  q: EscalationCountQuery,
  asOf: string,
): Promise<Record<string, number>> {
  const w = window({ view: 'exceptions', ...q }, asOf, 'raised_at').add('version = ?', q.version);
  w.also(`escalated_at <= ${w.param(asOf)}`);
  const { rows } = await db.query<{ code: string; escalated: number }>(
    `SELECT code, count(*)::int AS escalated FROM view_exceptions ${w.sql} GROUP BY code ORDER BY code`,
    w.params,
  );
  return Object.fromEntries(rows.map((r) => [r.code, r.escalated]));
}
