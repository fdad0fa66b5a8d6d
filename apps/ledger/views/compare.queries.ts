import { COMPARE_BY, CompareBy, CompareQuery, CompareRow, WorkgateError } from '@workgate/contracts';
import { checkTimes, ratio, Where } from './query-filters';
import { Queryable } from './view-table';

/**
 * Departments and comparisons (docs/views.md, Departments and comparisons): the work orders
 * closed in [from, to) (by asOf), grouped by their workflow version's department (null: a
 * version that names none) or by job type. Each measure is counted as its own view counts it:
 * first-time fix and evidence completeness as those views, exceptions from the exceptions view,
 * break-glass and overdue post-reviews from the post-reviews view, so the numbers agree.
 */

/** Per 100 work orders, to two decimals. */
const per100 = (count: number, workOrders: number): number | null =>
  workOrders ? Math.round((count * 10_000) / workOrders) / 100 : null;

/**
 * The closed work orders of the window with their group (`grp`), read once (a materialized CTE:
 * one scan of the work orders, whatever the measures ask of them).
 */
function closedInWindow(q: CompareQuery, asOf: string, by: CompareBy) {
  const w = new Where()
    .also('closed_at IS NOT NULL')
    .add('closed_at >= ?', q.from)
    .add('closed_at < ?', q.to)
    .add('closed_at <= ?', asOf);
  const grp = by === 'department' ? 'wf.department' : 'wo.job_type';
  const sql = `c AS MATERIALIZED (
      SELECT ${grp} AS grp, wo.id, wo.exceptions_total, wo.reopened, wo.evidence_missing, wo.steps_required,
             wo.steps_completed, extract(epoch FROM wo.closed_at - wo.opened_at) AS seconds
        FROM (SELECT * FROM view_work_orders ${w.sql}) wo
        LEFT JOIN view_workflows wf ON wf.job_type = wo.job_type AND wf.version = wo.version)`;
  return { w, sql };
}

interface GroupRow {
  grp: string | null;
  work_orders: number;
  first_time_fix: number;
  closures_with_evidence: number;
  steps_required: number;
  steps_with_evidence: number;
  p50: number | null;
  p95: number | null;
  break_glass: number;
}

interface Compared {
  groups: GroupRow[];
  codes: Array<{ grp: string | null; code: string; count: number }>;
  overdue: Array<{ grp: string | null; count: number }>;
}

/** One row per group: departments (or job types) side by side. */
export async function compareGroups(db: Queryable, q: CompareQuery | undefined): Promise<CompareRow[]> {
  const query = q ?? {};
  const by = query.by ?? 'department';
  if (!COMPARE_BY.includes(by)) throw new WorkgateError('validation_failed', 'by must be department or jobType');
  const asOf = checkTimes({ view: 'closures', from: query.from, to: query.to, asOf: query.asOf });
  const { w, sql } = closedInWindow(query, asOf, by);
  const at = w.param(asOf);
  // One statement, one round trip: the groups' measures, the exceptions by code, the overdue post-reviews.
  const { rows } = await db.query<{ compared: Compared }>(
    `WITH ${sql},
     groups AS (
       SELECT grp, count(*)::int AS work_orders,
              count(*) FILTER (WHERE exceptions_total = 0 AND reopened = 0)::int AS first_time_fix,
              count(*) FILTER (WHERE NOT evidence_missing)::int AS closures_with_evidence,
              sum(steps_required)::int AS steps_required,
              sum(least(steps_completed, steps_required))::int AS steps_with_evidence,
              (percentile_disc(0.5) WITHIN GROUP (ORDER BY seconds))::float8 AS p50,
              (percentile_disc(0.95) WITHIN GROUP (ORDER BY seconds))::float8 AS p95,
              count(*) FILTER (WHERE id IN (SELECT work_order_id FROM view_post_reviews))::int AS break_glass
         FROM c GROUP BY grp),
     codes AS (
       SELECT c.grp, e.code, count(*)::int AS count FROM c JOIN view_exceptions e ON e.work_order_id = c.id
        GROUP BY c.grp, e.code),
     overdue AS (
       SELECT c.grp, count(*)::int AS count FROM c JOIN view_post_reviews p ON p.work_order_id = c.id
        WHERE p.created_at <= ${at} AND (p.completed_at IS NULL OR p.completed_at > ${at}) AND p.due_at < ${at}
        GROUP BY c.grp)
     SELECT json_build_object(
       'groups', (SELECT coalesce(json_agg(groups ORDER BY grp NULLS LAST), '[]') FROM groups),
       'codes', (SELECT coalesce(json_agg(codes ORDER BY code), '[]') FROM codes),
       'overdue', (SELECT coalesce(json_agg(overdue), '[]') FROM overdue)) AS compared`,
    w.params,
  );
  const { groups, codes, overdue } = rows[0].compared;
  return groups.map((r) => {
    const mine = codes.filter((c) => c.grp === r.grp);
    const exceptions = mine.reduce((n, c) => n + c.count, 0);
    return {
      ...(by === 'department' ? { department: r.grp } : { jobType: r.grp ?? '' }),
      workOrders: r.work_orders,
      firstTimeFix: r.first_time_fix,
      firstTimeFixRate: ratio(r.first_time_fix, r.work_orders),
      exceptions,
      exceptionsPer100: per100(exceptions, r.work_orders),
      exceptionsPer100ByCode: Object.fromEntries(mine.map((c) => [c.code, per100(c.count, r.work_orders) ?? 0])),
      closuresWithEvidence: r.closures_with_evidence,
      closureEvidenceShare: ratio(r.closures_with_evidence, r.work_orders),
      stepsRequired: r.steps_required,
      stepsWithEvidence: r.steps_with_evidence,
      stepEvidenceShare: ratio(r.steps_with_evidence, r.steps_required),
      timeToCloseP50Seconds: r.p50,
      timeToCloseP95Seconds: r.p95,
      timeToCloseSpread: r.p50 && r.p95 !== null ? Math.round((r.p95 / r.p50) * 100) / 100 : null,
      breakGlass: r.break_glass,
      breakGlassRate: ratio(r.break_glass, r.work_orders),
      overduePostReviews: overdue.find((c) => c.grp === r.grp)?.count ?? 0,
    };
  });
}
