import { ViewQuery, ViewRow } from '@workgate/contracts';
import { window } from '../apps/ledger/views/query-filters';
import { Queryable } from '../apps/ledger/views/view-table';

const by = (q: ViewQuery, prefix = '') => `${prefix}job_type${q.groupBy === 'version' ? `, ${prefix}version` : ''}`;

/**
 * The steps views as a scan of every work order of the window would answer them (each step of each
 * work order's row, durations as exact percentiles): what the counts by day must add up to.
 */
export async function scannedSteps(db: Queryable, q: ViewQuery, asOf: string): Promise<ViewRow[]> {
  const w = window(q, asOf, 'opened_at');
  const at = w.param(asOf);
  const { rows } = await db.query<ViewRow>(
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
     SELECT job_type AS "jobType", ${q.groupBy === 'version' ? 'version, ' : ''}step_id AS "stepId",
            count(*) FILTER (WHERE open)::int AS open, count(*) FILTER (WHERE completed)::int AS completed,
            sum(blocked)::int AS blocked, count(*) FILTER (WHERE stalled)::int AS stalled,
            round(percentile_cont(0.5) WITHIN GROUP (ORDER BY seconds))::int AS "p50Seconds",
            round(percentile_cont(0.95) WITHIN GROUP (ORDER BY seconds))::int AS "p95Seconds"
       FROM per GROUP BY ${by(q)}, step_id ORDER BY ${by(q)}, min(i), step_id`,
    w.params,
  );
  return rows;
}

/** step-exceptions as a scan of every work order's steps of the window answers it. */
export async function scannedStepExceptions(db: Queryable, q: ViewQuery, asOf: string): Promise<ViewRow[]> {
  const w = window(q, asOf, 'opened_at');
  const { rows } = await db.query<ViewRow>(
    `SELECT s.job_type AS "jobType", ${q.groupBy === 'version' ? 's.version, ' : ''}st.key AS "stepId", code, count(*)::int AS count
       FROM (SELECT * FROM view_steps ${w.sql}) s, jsonb_each(s.steps) st, jsonb_array_elements_text(st.value->'blocked') code
      GROUP BY ${by(q, 's.')}, st.key, code ORDER BY ${by(q, 's.')}, min((st.value->>'i')::int), count DESC, code`,
    w.params,
  );
  return rows;
}

/** rules as a scan of every decision of the window answers it. */
export async function scannedRules(db: Queryable, q: ViewQuery, asOf: string): Promise<ViewRow[]> {
  const w = window(q, asOf, 'opened_at');
  const { rows } = await db.query<ViewRow>(
    `SELECT job_type AS "jobType", ${q.groupBy === 'version' ? 'version, ' : ''}rule, decision, count(*)::int AS decisions
       FROM view_decisions ${w.sql}
      GROUP BY ${by(q)}, rule, decision ORDER BY ${by(q)}, rule NULLS FIRST, decision`,
    w.params,
  );
  return rows;
}

/** exception-codes as a join of every exception with the window's work orders (on their own opening) answers it. */
export async function scannedExceptionCodes(db: Queryable, q: ViewQuery, asOf: string): Promise<ViewRow[]> {
  const w = window(q, asOf, 'opened_at');
  const at = w.param(asOf);
  const open = `(e.resolved_at IS NULL OR e.resolved_at > ${at})`;
  const { rows } = await db.query<ViewRow>(
    `SELECT e.job_type AS "jobType", ${q.groupBy === 'version' ? 'e.version, ' : ''}e.code, count(*)::int AS count,
            count(*) FILTER (WHERE ${open})::int AS open,
            count(*) FILTER (WHERE ${open} AND e.due_at < ${at})::int AS overdue,
            count(*) FILTER (WHERE e.escalated_at <= ${at})::int AS escalated
       FROM view_exceptions e JOIN (SELECT id FROM view_work_orders ${w.sql}) wo ON wo.id = e.work_order_id
      WHERE e.raised_at <= ${at}
      GROUP BY ${by(q, 'e.')}, e.code ORDER BY ${by(q, 'e.')}, count DESC, e.code`,
    w.params,
  );
  return rows;
}
