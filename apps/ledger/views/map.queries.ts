import { ViewQuery, ViewRow } from '@workgate/contracts';
import { versionOf, window } from './query-filters';
import { Queryable } from './view-table';

/**
 * The views of the live workflow map (SPEC section 14): each counts the work orders OPENED in
 * [from, to) (by asOf) of a job type, all its versions together unless grouped by version. The map
 * answers these very rows, so its numbers equal the views by construction.
 */

const seconds = (p: number, expr: string) => `round(percentile_cont(${p}) WITHIN GROUP (ORDER BY ${expr}))::int`;

/** Groups and orders by job type (and version). */
const by = (q: ViewQuery, prefix = '') => `${prefix}job_type${q.groupBy === 'version' ? `, ${prefix}version` : ''}`;

/**
 * steps: per step, the work orders whose next step it is and still open or blocked (`open`), those
 * that completed it, the times it was blocked, the work orders stalled there at asOf (see
 * stall-rates: each stalled work order counts once, at the step next when its stalled spell
 * began), and the p50 and p95 of its duration in seconds (from the work order's previous step
 * completion, or its opening, to its completion).
 */
export async function steps(db: Queryable, q: ViewQuery, asOf: string): Promise<ViewRow[]> {
  const w = window(q, asOf, 'opened_at');
  const at = w.param(asOf);
  const { rows } = await db.query<{
    job_type: string;
    version?: number;
    step_id: string;
    open: number;
    completed: number;
    blocked: number;
    stalled: number;
    p50: number | null;
    p95: number | null;
  }>(
    `WITH wo AS (
       SELECT s.job_type, s.version, s.steps, s.next_step, w.status IN ('open', 'blocked') AS active,
              CASE WHEN w.stalled_at < ${at} THEN s.stalled_step
                   WHEN w.stuck_since < ${at}::timestamptz - w.stall_after_ms * interval '1 millisecond' THEN s.stuck_step END AS stalled_step
         FROM (SELECT * FROM view_steps ${w.sql}) s JOIN view_work_orders w ON w.id = s.work_order_id
     ), per AS (
       SELECT wo.job_type, wo.version, st.key AS step_id, (st.value->>'i')::int AS i,
              (wo.active AND wo.next_step = st.key) AS open, st.value->>'completedAt' IS NOT NULL AS completed,
              jsonb_array_length(st.value->'blocked') AS blocked, wo.stalled_step = st.key AS stalled,
              (st.value->>'seconds')::float8 AS seconds
         FROM wo, jsonb_each(wo.steps) st
     )
     SELECT ${by(q)}, step_id, count(*) FILTER (WHERE open)::int AS open, count(*) FILTER (WHERE completed)::int AS completed,
            sum(blocked)::int AS blocked, count(*) FILTER (WHERE stalled)::int AS stalled,
            ${seconds(0.5, 'seconds')} AS p50, ${seconds(0.95, 'seconds')} AS p95
       FROM per GROUP BY ${by(q)}, step_id ORDER BY ${by(q)}, min(i), step_id`,
    w.params,
  );
  return rows.map((r) => ({
    jobType: r.job_type,
    ...versionOf(q, r),
    stepId: r.step_id,
    open: r.open,
    completed: r.completed,
    blocked: r.blocked,
    stalled: r.stalled,
    p50Seconds: r.p50,
    p95Seconds: r.p95,
  }));
}

/** step-exceptions: per step, the codes it was blocked with and how many times, the most first. */
export async function stepExceptions(db: Queryable, q: ViewQuery, asOf: string): Promise<ViewRow[]> {
  const w = window(q, asOf, 'opened_at');
  const { rows } = await db.query<{ job_type: string; version?: number; step_id: string; code: string; count: number }>(
    `SELECT ${by(q, 's.')}, st.key AS step_id, code, count(*)::int AS count
       FROM (SELECT * FROM view_steps ${w.sql}) s, jsonb_each(s.steps) st, jsonb_array_elements_text(st.value->'blocked') code
      GROUP BY ${by(q, 's.')}, st.key, code ORDER BY ${by(q, 's.')}, min((st.value->>'i')::int), count DESC, code`,
    w.params,
  );
  return rows.map((r) => ({
    jobType: r.job_type,
    ...versionOf(q, r),
    stepId: r.step_id,
    code: r.code,
    count: r.count,
  }));
}

/**
 * gates: per gate node of the map (a wait rule's id, or `gate:<gate>` of a stage or overlay), its
 * approvals by status (`pending`: requested, no decision yet) and the p50 in seconds from request
 * to first decision of those decided.
 */
export async function gates(db: Queryable, q: ViewQuery, asOf: string): Promise<ViewRow[]> {
  const w = window(q, asOf, 'opened_at').also('gate IS NOT NULL');
  const { rows } = await db.query<{
    job_type: string;
    version?: number;
    gate: string;
    pending: number;
    approved: number;
    conditional: number;
    rejected: number;
    expired: number;
    p50: number | null;
  }>(
    `SELECT ${by(q)}, gate, ${['requested', 'approved', 'conditional', 'rejected', 'expired']
      .map((s) => `count(*) FILTER (WHERE status = '${s}')::int AS ${s === 'requested' ? 'pending' : s}`)
      .join(', ')}, ${seconds(0.5, 'extract(epoch FROM decided_at - requested_at)')} AS p50
       FROM view_approvals ${w.sql} GROUP BY ${by(q)}, gate ORDER BY ${by(q)}, gate`,
    w.params,
  );
  return rows.map((r) => ({
    jobType: r.job_type,
    ...versionOf(q, r),
    gate: r.gate,
    pending: r.pending,
    approved: r.approved,
    conditional: r.conditional,
    rejected: r.rejected,
    expired: r.expired,
    p50WaitSeconds: r.p50,
  }));
}

/** rules: action decisions per rule (null: the boundary decided) and decision. */
export async function rules(db: Queryable, q: ViewQuery, asOf: string): Promise<ViewRow[]> {
  const w = window(q, asOf, 'opened_at');
  const { rows } = await db.query<{
    job_type: string;
    version?: number;
    rule: string | null;
    decision: string;
    n: number;
  }>(
    `SELECT ${by(q)}, rule, decision, count(*)::int AS n FROM view_decisions ${w.sql}
      GROUP BY ${by(q)}, rule, decision ORDER BY ${by(q)}, rule NULLS FIRST, decision`,
    w.params,
  );
  return rows.map((r) => ({
    jobType: r.job_type,
    ...versionOf(q, r),
    rule: r.rule ?? null,
    decision: r.decision,
    decisions: r.n,
  }));
}

/**
 * exception-codes: per code, the exceptions raised (by asOf) on the window's work orders, those
 * open at asOf, those open past their due time at asOf, and those escalated by asOf under their
 * code's escalation rule.
 */
export async function exceptionCodes(db: Queryable, q: ViewQuery, asOf: string): Promise<ViewRow[]> {
  const w = window(q, asOf, 'opened_at');
  const at = w.param(asOf);
  const { rows } = await db.query<{
    job_type: string;
    version?: number;
    code: string;
    count: number;
    open: number;
    overdue: number;
    escalated: number;
  }>(
    `SELECT ${by(q, 'e.')}, e.code, count(*)::int AS count,
            count(*) FILTER (WHERE e.escalated_at <= ${at})::int AS escalated,
            count(*) FILTER (WHERE e.resolved_at IS NULL OR e.resolved_at > ${at})::int AS open,
            count(*) FILTER (WHERE (e.resolved_at IS NULL OR e.resolved_at > ${at}) AND e.due_at < ${at})::int AS overdue
       FROM view_exceptions e JOIN (SELECT id FROM view_work_orders ${w.sql}) wo ON wo.id = e.work_order_id
      WHERE e.raised_at <= ${at}
      GROUP BY ${by(q, 'e.')}, e.code ORDER BY ${by(q, 'e.')}, count DESC, e.code`,
    w.params,
  );
  return rows.map((r) => ({
    jobType: r.job_type,
    ...versionOf(q, r),
    code: r.code,
    count: r.count,
    open: r.open,
    overdue: r.overdue,
    escalated: r.escalated,
  }));
}
