import { CompareBy, CompareQuery, CompareRow } from '@workgate/contracts';
import { ratio, Where } from '../apps/ledger/views/query-filters';
import { Queryable } from '../apps/ledger/views/view-table';

const per100 = (count: number, workOrders: number): number | null =>
  workOrders ? Math.round((count * 10_000) / workOrders) / 100 : null;

/**
 * The department comparison as a scan of every work order closed in the window answers it (their
 * exceptions joined from view_exceptions, their post-reviews from view_post_reviews, times to
 * close as exact nearest-rank percentiles): what the closures counted by day must add up to.
 */
export async function scannedCompare(db: Queryable, q: CompareQuery, asOf: string): Promise<CompareRow[]> {
  const by: CompareBy = q.by ?? 'department';
  const w = new Where()
    .also('closed_at IS NOT NULL')
    .add('closed_at >= ?', q.from)
    .add('closed_at < ?', q.to)
    .add('closed_at <= ?', asOf);
  const at = w.param(asOf);
  const { rows } = await db.query<{
    grp: string | null;
    work_orders: number;
    first_time_fix: number;
    closures_with_evidence: number;
    steps_required: number;
    steps_with_evidence: number;
    break_glass: number;
    overdue: number;
    p: [number, number];
    codes: Record<string, number> | null;
  }>(
    `WITH wo AS (
       SELECT ${by === 'department' ? 'wf.department' : 'o.job_type'} AS grp, o.*,
              (extract(epoch FROM o.closed_at - o.opened_at))::float8 AS seconds
         FROM (SELECT * FROM view_work_orders ${w.sql}) o
         LEFT JOIN view_workflows wf ON wf.job_type = o.job_type AND wf.version = o.version
     )
     SELECT grp, count(*)::int AS work_orders,
            count(*) FILTER (WHERE exceptions_total = 0 AND reopened = 0)::int AS first_time_fix,
            count(*) FILTER (WHERE NOT evidence_missing)::int AS closures_with_evidence,
            sum(steps_required)::int AS steps_required,
            sum(least(steps_completed, steps_required))::int AS steps_with_evidence,
            count(*) FILTER (WHERE EXISTS (SELECT 1 FROM view_post_reviews p WHERE p.work_order_id = wo.id))::int AS break_glass,
            coalesce(sum((SELECT count(*) FROM view_post_reviews p WHERE p.work_order_id = wo.id AND p.created_at <= ${at}
                            AND (p.completed_at IS NULL OR p.completed_at > ${at}) AND p.due_at < ${at})), 0)::int AS overdue,
            percentile_disc(ARRAY[0.5, 0.95]) WITHIN GROUP (ORDER BY seconds) AS p,
            (SELECT jsonb_object_agg(code, n) FROM (SELECT e.code, count(*)::int AS n FROM view_exceptions e
               JOIN wo x ON x.id = e.work_order_id WHERE x.grp IS NOT DISTINCT FROM wo.grp GROUP BY e.code) c) AS codes
       FROM wo GROUP BY grp`,
    w.params,
  );
  return rows
    .sort((a, b) => (a.grp === b.grp ? 0 : a.grp === null ? 1 : b.grp === null ? -1 : a.grp < b.grp ? -1 : 1))
    .map((r) => {
      const codes = Object.entries(r.codes ?? {}).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0));
      const exceptions = codes.reduce((n, [, c]) => n + c, 0);
      const [p50, p95] = r.p;
      return {
        ...(by === 'department' ? { department: r.grp } : { jobType: r.grp ?? '' }),
        workOrders: r.work_orders,
        firstTimeFix: r.first_time_fix,
        firstTimeFixRate: ratio(r.first_time_fix, r.work_orders),
        exceptions,
        exceptionsPer100: per100(exceptions, r.work_orders),
        exceptionsPer100ByCode: Object.fromEntries(codes.map(([c, n]) => [c, per100(n, r.work_orders) ?? 0])),
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
