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
 * The closed work orders of the window with their group (`grp`) and only the columns the measures
 * read, as a subquery named `wo` (plain joins and aggregates: no per-row subquery, whose cost
 * estimate would have Postgres compile the statement first).
 */
function closedInWindow(q: CompareQuery, asOf: string, by: CompareBy) {
  const w = new Where()
    .also('closed_at IS NOT NULL')
    .add('closed_at >= ?', q.from)
    .add('closed_at < ?', q.to)
    .add('closed_at <= ?', asOf);
  const grp = by === 'department' ? 'wf.department' : 'o.job_type';
  const sql = `(SELECT ${grp} AS grp, o.id, o.exceptions_total, o.reopened, o.evidence_missing, o.steps_required,
                       o.steps_completed, (extract(epoch FROM o.closed_at - o.opened_at))::float8 AS seconds
                  FROM (SELECT * FROM view_work_orders ${w.sql}) o
                  LEFT JOIN view_workflows wf ON wf.job_type = o.job_type AND wf.version = o.version) wo`;
  return { w, sql };
}

interface GroupRow {
  grp: string | null;
  work_orders: number;
  first_time_fix: number;
  closures_with_evidence: number;
  steps_required: number;
  steps_with_evidence: number;
  break_glass: number;
  overdue: number;
}

/** One row per group: departments (or job types) side by side. */
export async function compareGroups(db: Queryable, q: CompareQuery | undefined): Promise<CompareRow[]> {
  const query = q ?? {};
  const by = query.by ?? 'department';
  if (!COMPARE_BY.includes(by)) throw new WorkgateError('validation_failed', 'by must be department or jobType');
  const asOf = checkTimes({ view: 'closures', from: query.from, to: query.to, asOf: query.asOf });
  const { w, sql } = closedInWindow(query, asOf, by);
  const at = `$${w.params.length + 1}`;
  // Three statements at once on the pool: the counts (a hash aggregate), the times to close (a sort), the exceptions by code.
  const counts = db.query<GroupRow>(
    `SELECT grp, count(*)::int AS work_orders,
            count(*) FILTER (WHERE exceptions_total = 0 AND reopened = 0)::int AS first_time_fix,
            count(*) FILTER (WHERE NOT evidence_missing)::int AS closures_with_evidence,
            sum(steps_required)::int AS steps_required,
            sum(least(steps_completed, steps_required))::int AS steps_with_evidence,
            count(p.work_order_id)::int AS break_glass, coalesce(sum(p.overdue), 0)::int AS overdue
       FROM ${sql}
       LEFT JOIN (SELECT work_order_id,
                         count(*) FILTER (WHERE created_at <= ${at} AND (completed_at IS NULL OR completed_at > ${at})
                                            AND due_at < ${at}) AS overdue
                    FROM view_post_reviews GROUP BY work_order_id) p ON p.work_order_id = wo.id
      GROUP BY grp`,
    [...w.params, asOf],
  );
  const times = db.query<{ grp: string | null; p: [number, number] }>(
    `SELECT grp, percentile_disc(ARRAY[0.5, 0.95]) WITHIN GROUP (ORDER BY seconds) AS p FROM ${sql} GROUP BY grp`,
    w.params,
  );
  const byCode = db.query<{ grp: string | null; code: string; count: number }>(
    `SELECT grp, e.code, count(*)::int AS count FROM ${sql} JOIN view_exceptions e ON e.work_order_id = wo.id
      GROUP BY grp, e.code ORDER BY e.code`,
    w.params,
  );
  const [g, t, codes] = await Promise.all([counts, times, byCode]);
  const groups = g.rows.sort((a, b) =>
    a.grp === b.grp ? 0 : a.grp === null ? 1 : b.grp === null ? -1 : a.grp < b.grp ? -1 : 1,
  );
  return groups.map((r) => {
    const mine = codes.rows.filter((c) => c.grp === r.grp);
    const exceptions = mine.reduce((n, c) => n + c.count, 0);
    const [p50, p95] = t.rows.find((x) => x.grp === r.grp)?.p ?? [null, null];
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
      timeToCloseP50Seconds: p50,
      timeToCloseP95Seconds: p95,
      timeToCloseSpread: p50 && p95 !== null ? Math.round((p95 / p50) * 100) / 100 : null,
      breakGlass: r.break_glass,
      breakGlassRate: ratio(r.break_glass, r.work_orders),
      overduePostReviews: r.overdue,
    };
  });
}
