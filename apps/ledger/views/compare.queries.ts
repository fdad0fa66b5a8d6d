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

/** The closed work orders of the window with their group (`grp`), as a subquery. */
function closedInWindow(q: CompareQuery, asOf: string, by: CompareBy) {
  const w = new Where()
    .also('closed_at IS NOT NULL')
    .add('closed_at >= ?', q.from)
    .add('closed_at < ?', q.to)
    .add('closed_at <= ?', asOf);
  const grp = by === 'department' ? 'wf.department' : 'wo.job_type';
  const sql = `(SELECT ${grp} AS grp, wo.*
                  FROM (SELECT * FROM view_work_orders ${w.sql}) wo
                  LEFT JOIN view_workflows wf ON wf.job_type = wo.job_type AND wf.version = wo.version) c`;
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

/** One row per group: departments (or job types) side by side. */
export async function compareGroups(db: Queryable, q: CompareQuery | undefined): Promise<CompareRow[]> {
  const query = q ?? {};
  const by = query.by ?? 'department';
  if (!COMPARE_BY.includes(by)) throw new WorkgateError('validation_failed', 'by must be department or jobType');
  const asOf = checkTimes({ view: 'closures', from: query.from, to: query.to, asOf: query.asOf });
  const { w, sql } = closedInWindow(query, asOf, by);
  const seconds = 'extract(epoch FROM c.closed_at - c.opened_at)';
  const groups = db.query<GroupRow>(
    `SELECT grp, count(*)::int AS work_orders,
            count(*) FILTER (WHERE exceptions_total = 0 AND reopened = 0)::int AS first_time_fix,
            count(*) FILTER (WHERE NOT evidence_missing)::int AS closures_with_evidence,
            sum(steps_required)::int AS steps_required, sum(least(steps_completed, steps_required))::int AS steps_with_evidence,
            (percentile_disc(0.5) WITHIN GROUP (ORDER BY ${seconds}))::float8 AS p50,
            (percentile_disc(0.95) WITHIN GROUP (ORDER BY ${seconds}))::float8 AS p95,
            count(*) FILTER (WHERE EXISTS (SELECT 1 FROM view_post_reviews p WHERE p.work_order_id = c.id))::int AS break_glass
       FROM ${sql} GROUP BY grp ORDER BY grp NULLS LAST`,
    w.params,
  );
  const codes = db.query<{ grp: string | null; code: string; count: number }>(
    `SELECT grp, e.code, count(*)::int AS count FROM ${sql} JOIN view_exceptions e ON e.work_order_id = c.id
      GROUP BY grp, e.code ORDER BY e.code`,
    w.params,
  );
  const at = `$${w.params.length + 1}`;
  const overdue = db.query<{ grp: string | null; count: number }>(
    `SELECT grp, count(*)::int AS count FROM ${sql} JOIN view_post_reviews p ON p.work_order_id = c.id
      WHERE p.created_at <= ${at} AND (p.completed_at IS NULL OR p.completed_at > ${at}) AND p.due_at < ${at}
      GROUP BY grp`,
    [...w.params, asOf],
  );
  const [g, x, o] = await Promise.all([groups, codes, overdue]);
  return g.rows.map((r) => {
    const mine = x.rows.filter((c) => c.grp === r.grp);
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
      overduePostReviews: o.rows.find((c) => c.grp === r.grp)?.count ?? 0,
    };
  });
}
