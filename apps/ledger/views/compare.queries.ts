import { COMPARE_BY, CompareBy, CompareQuery, CompareRow, WorkgateError } from '@workgate/contracts';
import {
  closureCounts,
  closureOf,
  ClosureCountsRow,
  closureCountsTable,
  timeToClose,
} from './closure-counts.projection';
import { checkTimes, outside, ratio, Where, wholeDays } from './query-filters';
import { Queryable } from './view-table';

/**
 * Departments and comparisons (docs/views.md, Departments and comparisons): the work orders
 * closed in [from, to) (by asOf), grouped by their workflow version's department (null: a
 * version that names none) or by job type. Each measure is counted as its own view counts it:
 * first-time fix and evidence completeness as those views, exceptions as the exceptions view,
 * break-glass and overdue post-reviews as the post-reviews view, so the numbers agree.
 * The counts come from the closures counted by day (view_closure_counts) for the window's whole
 * days, and from the work orders closed on its partial first and last days row by row; the
 * overdue post-reviews, from those open at asOf.
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

/** What the work orders closed in the window add up to, per group (null: no department). */
async function countsOfWindow(
  db: Queryable,
  q: CompareQuery,
  asOf: string,
  by: CompareBy,
): Promise<Map<string | null, ClosureCountsRow>> {
  const days = wholeDays(q, asOf);
  const d = new Where().add('c.day >= ?', days.first?.slice(0, 10)).add('c.day < ?', days.end.slice(0, 10));
  const counted = db.query<Record<string, unknown> & { grp: string | null }>(
    `SELECT ${closureCountsTable.list.replace(/(^|, )/g, '$1c.')}, ${groupOf(by, 'c')} AS grp
       FROM view_closure_counts c ${withWorkflow('c')} ${d.sql}`,
    d.params,
  );
  const w = outside(closedIn(q, asOf), days, 'o.closed_at');
  // Only what the counts read: the time to close in ms (exact: the times are to the millisecond).
  const edges = db.query<{
    grp: string | null;
    ms: number;
    exceptions_total: number;
    reopened: number;
    evidence_missing: boolean;
    steps_required: number;
    steps_completed: number;
    exception_codes: Record<string, number>;
    break_glass: boolean;
  }>(
    `SELECT ${groupOf(by, 'o')} AS grp, (extract(epoch FROM o.closed_at - o.opened_at) * 1000)::float8 AS ms,
            o.exceptions_total, o.reopened, o.evidence_missing, o.steps_required, o.steps_completed, o.exception_codes,
            o.break_glass
       FROM view_work_orders o ${withWorkflow('o')} ${w.sql}`,
    w.params,
  );
  const sums = new Map<string | null, ClosureCountsRow>();
  const add = (grp: string | null, c: ClosureCountsRow) =>
    sums.set(grp, closureCounts.addInto(sums.get(grp) ?? closureCounts.none(c), c));
  for (const r of (await counted).rows) add(r.grp, closureCountsTable.fromDb(r));
  const group = { key: '', jobType: '', version: 0, day: '' };
  for (const r of (await edges).rows)
    add(
      r.grp,
      closureOf(
        group,
        {
          exceptionsTotal: r.exceptions_total,
          reopened: r.reopened,
          evidenceMissing: r.evidence_missing,
          stepsRequired: r.steps_required,
          stepsCompleted: r.steps_completed,
          exceptionCodes: r.exception_codes,
          breakGlass: r.break_glass,
        },
        r.ms,
      ),
    );
  return sums;
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
