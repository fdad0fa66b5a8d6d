import { COMPARE_BY, CompareBy, CompareQuery, CompareRow, WorkgateError } from '@workgate/contracts';
import { ClosureCountsRow, timeToClose, TimesToClose } from './closure-counts.projection';
import { checkTimes, outside, ratio, Where, wholeDays } from './query-filters';
import { Queryable } from './view-table';

/**
 * Departments and comparisons (docs/views.md, Departments and comparisons): the work orders
 * closed in [from, to) (by asOf), grouped by their workflow version's department (null: a
 * version that names none) or by job type. Each measure is counted as its own view counts it:
 * first-time fix and evidence completeness as those views, exceptions as the exceptions view,
 * break-glass and overdue post-reviews as the post-reviews view, so the numbers agree.
 * The counts come from the closures counted by day (view_closure_counts, and the times to close by
 * day and bucket: view_closure_buckets) for the window's whole days, and from the work orders
 * closed on its partial first and last days row by row; the overdue post-reviews, from those open
 * at asOf.
 */

/** Per 100 work orders, to two decimals. */
const per100 = (count: number, workOrders: number): number | null =>
  workOrders ? Math.round((count * 10_000) / workOrders) / 100 : null;

/** The group of a row joined with its workflow version (`wf`): its department, or its job type. */
const groupOf = (by: CompareBy, table: string) => (by === 'department' ? 'wf.department' : `${table}.job_type`);
const withWorkflow = (table: string) =>
  `LEFT JOIN view_workflows wf ON wf.job_type = ${table}.job_type AND wf.version = ${table}.version`;

/** The work orders closed in the window (on `o`'s closed_at): [from, to) and by asOf. */
function closedIn(q: CompareQuery, asOf: string): Where {
  return new Where()
    .also('o.closed_at IS NOT NULL')
    .add('o.closed_at >= ?', q.from)
    .add('o.closed_at < ?', q.to)
    .add('o.closed_at <= ?', asOf);
}

/** The bucket of a time to close of `ms` milliseconds, as durationBucket (step-counts.projection.ts) takes it. */
const BUCKET = `CASE WHEN ms < 1000 THEN 0 ELSE 1 + floor(ln(ms / 1000) / ln(1.04::float8))::int END`;

/**
 * What the work orders closed in the window add up to, per group (null: no department), added up
 * in Postgres: the counts of the whole days, and the work orders closed on the partial days each
 * counted as one closure (its time to close in ms: exact, the times are to the millisecond).
 */
async function countsOfWindow(
  db: Queryable,
  q: CompareQuery,
  asOf: string,
  by: CompareBy,
): Promise<Map<string | null, ClosureCountsRow & TimesToClose>> {
  const days = wholeDays(q, asOf);
  const w = outside(closedIn(q, asOf), days, 'o.closed_at', q, asOf);
  const end = w.param(days.end.slice(0, 10));
  const first = days.first === null ? undefined : w.param(days.first.slice(0, 10));
  const daysOf = (t: string) => `${t}.day < ${end}${first ? ` AND ${t}.day >= ${first}` : ''}`;
  const same = (t: string) => `${t}.grp IS NOT DISTINCT FROM s.grp`;
  const { rows } = await db.query<{
    grp: string | null;
    work_orders: number;
    first_time_fix: number;
    closures_with_evidence: number;
    steps_required: number;
    steps_with_evidence: number;
    break_glass: number;
    codes: Record<string, number> | null;
    seconds: Record<string, number> | null;
    millis: Record<string, number> | null;
  }>(
    // `days`: the whole days' counts; `edge`: the partial days' work orders, each one closure.
    `WITH days AS MATERIALIZED (
       SELECT ${groupOf(by, 'c')} AS grp, c.work_orders, c.first_time_fix, c.closures_with_evidence, c.steps_required,
              c.steps_with_evidence, c.break_glass, c.codes
         FROM view_closure_counts c ${withWorkflow('c')} WHERE ${daysOf('c')}
     ), edge AS MATERIALIZED (
       SELECT grp, ms, ${BUCKET} AS bucket, exceptions_total, reopened, evidence_missing, steps_required,
              steps_completed, exception_codes, break_glass
         FROM (SELECT ${groupOf(by, 'o')} AS grp, (extract(epoch FROM o.closed_at - o.opened_at) * 1000)::float8 AS ms,
                      o.exceptions_total, o.reopened, o.evidence_missing, o.steps_required, o.steps_completed,
                      o.exception_codes, o.break_glass
                 FROM view_work_orders o ${withWorkflow('o')} ${w.sql}) o
     ), sums AS (
       SELECT grp, sum(work_orders)::int AS work_orders, sum(first_time_fix)::int AS first_time_fix,
              sum(closures_with_evidence)::int AS closures_with_evidence, sum(steps_required)::int AS steps_required,
              sum(steps_with_evidence)::int AS steps_with_evidence, sum(break_glass)::int AS break_glass
         FROM (SELECT grp, work_orders, first_time_fix, closures_with_evidence, steps_required, steps_with_evidence,
                      break_glass FROM days
               UNION ALL
               SELECT grp, 1, (exceptions_total = 0 AND reopened = 0)::int, (NOT evidence_missing)::int, steps_required,
                      least(steps_completed, steps_required), break_glass::int FROM edge) x
        GROUP BY grp
     ), codes AS (
       SELECT grp, jsonb_object_agg(code, n) AS codes
         FROM (SELECT grp, code, sum(n)::int AS n
                 FROM (SELECT grp, e.key AS code, e.value::int AS n FROM days, jsonb_each(days.codes) e
                       UNION ALL
                       SELECT grp, e.key, e.value::int FROM edge, jsonb_each(edge.exception_codes) e
                        WHERE edge.exception_codes <> '{}') x
                GROUP BY 1, 2) x
        WHERE n <> 0 GROUP BY grp
     ), buckets AS (
       SELECT grp, jsonb_object_agg(bucket, n) AS seconds, jsonb_object_agg(bucket, ms) AS millis
         FROM (SELECT grp, bucket, sum(n)::int AS n, sum(ms) AS ms
                 FROM (SELECT ${groupOf(by, 'b')} AS grp, b.bucket, b.closures AS n, b.millis AS ms
                         FROM view_closure_buckets b ${withWorkflow('b')} WHERE ${daysOf('b')}
                       UNION ALL
                       SELECT grp, bucket, 1, ms FROM edge) x
                GROUP BY 1, 2) x
        WHERE n <> 0 GROUP BY grp
     )
     SELECT s.*, codes.codes, buckets.seconds, buckets.millis
       FROM sums s LEFT JOIN codes ON ${same('codes')} LEFT JOIN buckets ON ${same('buckets')}`,
    w.params,
  );
  return new Map(
    rows.map((r) => [
      r.grp,
      {
        key: '',
        jobType: '',
        version: 0,
        day: '',
        workOrders: r.work_orders,
        firstTimeFix: r.first_time_fix,
        closuresWithEvidence: r.closures_with_evidence,
        stepsRequired: r.steps_required,
        stepsWithEvidence: r.steps_with_evidence,
        breakGlass: r.break_glass,
        codes: r.codes ?? {},
        seconds: r.seconds ?? {},
        millis: r.millis ?? {},
      },
    ]),
  );
}

/**
 * The post-reviews open at asOf (created by then, not completed by then) and past due, of the
 * work orders closed in the window, per group: few, found by the index on completed_at.
 */
async function overdueOfWindow(
  db: Queryable,
  q: CompareQuery,
  asOf: string,
  by: CompareBy,
): Promise<Map<string | null, number>> {
  const w = closedIn(q, asOf);
  const at = w.param(asOf);
  w.also(`p.created_at <= ${at} AND (p.completed_at IS NULL OR p.completed_at > ${at}) AND p.due_at < ${at}`);
  const { rows } = await db.query<{ grp: string | null; overdue: number }>(
    // Each post-review's work order looked up by its key (OFFSET 0 keeps the lookup a lookup: joined,
    // Postgres would rather scan every work order closed in the window).
    `SELECT ${groupOf(by, 'o')} AS grp, count(*)::int AS overdue
       FROM view_post_reviews p
       JOIN LATERAL (SELECT job_type, version, closed_at FROM view_work_orders WHERE id = p.work_order_id OFFSET 0) o ON true
       ${withWorkflow('o')}
     ${w.sql} GROUP BY 1`,
    w.params,
  );
  return new Map(rows.map((r) => [r.grp, r.overdue]));
}

/** Groups in order: by name, null (no department) last. */
const inOrder = (a: string | null, b: string | null): number =>
  a === b ? 0 : a === null ? 1 : b === null ? -1 : a < b ? -1 : 1;

/** One row per group: departments (or job types) side by side. */
export async function compareGroups(db: Queryable, q: CompareQuery | undefined): Promise<CompareRow[]> {
  const query = q ?? {};
  const by = query.by ?? 'department';
  if (!COMPARE_BY.includes(by)) throw new WorkgateError('validation_failed', 'by must be department or jobType');
  const asOf = checkTimes({ view: 'closures', from: query.from, to: query.to, asOf: query.asOf });
  const [sums, overdue] = await Promise.all([
    countsOfWindow(db, query, asOf, by),
    overdueOfWindow(db, query, asOf, by),
  ]);
  return [...sums]
    .filter(([, c]) => c.workOrders > 0)
    .sort(([a], [b]) => inOrder(a, b))
    .map(([grp, c]) => {
      const codes = Object.entries(c.codes).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0));
      const exceptions = codes.reduce((n, [, count]) => n + count, 0);
      const [p50, p95] = [timeToClose(c, 0.5), timeToClose(c, 0.95)];
      return {
        ...(by === 'department' ? { department: grp } : { jobType: grp ?? '' }),
        workOrders: c.workOrders,
        firstTimeFix: c.firstTimeFix,
        firstTimeFixRate: ratio(c.firstTimeFix, c.workOrders),
        exceptions,
        exceptionsPer100: per100(exceptions, c.workOrders),
        exceptionsPer100ByCode: Object.fromEntries(codes.map(([code, n]) => [code, per100(n, c.workOrders) ?? 0])),
        closuresWithEvidence: c.closuresWithEvidence,
        closureEvidenceShare: ratio(c.closuresWithEvidence, c.workOrders),
        stepsRequired: c.stepsRequired,
        stepsWithEvidence: c.stepsWithEvidence,
        stepEvidenceShare: ratio(c.stepsWithEvidence, c.stepsRequired),
        timeToCloseP50Seconds: p50,
        timeToCloseP95Seconds: p95,
        timeToCloseSpread: p50 && p95 !== null ? Math.round((p95 / p50) * 100) / 100 : null,
        breakGlass: c.breakGlass,
        breakGlassRate: ratio(c.breakGlass, c.workOrders),
        overduePostReviews: overdue.get(grp) ?? 0,
      };
    });
}
