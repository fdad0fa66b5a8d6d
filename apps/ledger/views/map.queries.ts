import { LiveMapQuery, LiveMapViewRows, ViewQuery, ViewRow, WorkgateError } from '@workgate/contracts';
import { checkTimes, outside, versionOf, Where, wholeDays, window } from './query-filters';
import { countsOf, percentileOf, stepCounts, StepCountsRow, stepCountsTable } from './step-counts.projection';
import { StepsRow } from './steps.projection';
import { Queryable } from './view-table';

/**
 * The views of the live workflow map (docs/views.md, The live workflow map): each counts the work orders OPENED in
 * [from, to) (by asOf) of a job type, all its versions together unless grouped by version. The map
 * answers these very rows, so its numbers equal the views by construction.
 */

const seconds = (p: number, expr: string) => `round(percentile_cont(${p}) WITHIN GROUP (ORDER BY ${expr}))::int`;

/** Groups and orders by job type (and version). */
const by = (q: ViewQuery, prefix = '') => `${prefix}job_type${q.groupBy === 'version' ? `, ${prefix}version` : ''}`;

/** The columns of view_step_counts but the durations (`seconds`, most of a row's size). */
const WITHOUT_SECONDS = stepCountsTable.list
  .split(', ')
  .map((c) => (c === 'seconds' ? `'{}'::jsonb AS seconds` : c))
  .join(', ');

/**
 * What the work orders opened in the window add up to, per step (and version when grouped by it);
 * without `durations`, no step's durations are read from the counts by day (`seconds` is then not the sum).
 */
async function countsOfWindow(
  db: Queryable,
  q: ViewQuery,
  asOf: string,
  durations = true,
): Promise<Map<string, StepCountsRow>> {
  const days = wholeDays(q, asOf);
  const d = new Where()
    .add('day >= ?', days.first?.slice(0, 10))
    .add('day < ?', days.end.slice(0, 10))
    .add('job_type = ?', q.jobType);
  const counted = await db.query<Record<string, unknown>>(
    `SELECT ${durations ? stepCountsTable.list : WITHOUT_SECONDS} FROM view_step_counts ${d.sql}`,
    d.params,
  );
  const w = outside(window(q, asOf, 'opened_at'), days, 'opened_at', q, asOf);
  const edges = await db.query<{ job_type: string; version: number; opened_at: Date; steps: StepsRow['steps'] }>(
    `SELECT job_type, version, opened_at, steps FROM view_steps ${w.sql}`,
    w.params,
  );
  const sums = new Map<string, StepCountsRow>();
  const add = (c: StepCountsRow) => {
    const key = [c.jobType, q.groupBy === 'version' ? c.version : '', c.stepId].join(' ');
    const sum = sums.get(key) ?? stepCounts.none(c);
    sums.set(key, stepCounts.addInto(sum, c));
  };
  for (const r of counted.rows) add(stepCountsTable.fromDb(r));
  for (const r of edges.rows)
    for (const c of countsOf({
      jobType: r.job_type,
      version: r.version,
      openedAt: r.opened_at.toISOString(),
      steps: r.steps,
    }))
      add(c);
  return sums;
}

/** Orders step rows as the views answer them: by job type (and version), the step's place, its id. */
function inStepOrder(q: ViewQuery, a: StepCountsRow, b: StepCountsRow): number {
  const cmp = (x: string | number, y: string | number) => (x < y ? -1 : x > y ? 1 : 0);
  return (
    cmp(a.jobType, b.jobType) ||
    (q.groupBy === 'version' ? cmp(a.version, b.version) : 0) ||
    cmp(a.i, b.i) ||
    cmp(a.stepId, b.stepId)
  );
}

/**
 * steps: per step, the work orders whose next step it is and still open or blocked (`open`), those
 * that completed it, the times it was blocked, the work orders stalled there at asOf (see
 * stall-rates: each stalled work order counts once, at the step next when its stalled spell
 * began), and the p50 and p95 of its duration in seconds (from the work order's previous step
 * completion, or its opening, to its completion; read from the duration buckets, within 4% or 1 s).
 * The counts come from the window's days; what is open or stalled, from the work orders held at a
 * step (few: the partial index view_steps_held).
 */
export function steps(db: Queryable, q: ViewQuery, asOf: string): Promise<ViewRow[]> {
  return stepsOf(db, q, asOf, countsOfWindow(db, q, asOf));
}

/** The steps view from the window's counts (`counted`, being read), and what is held at each step. */
async function stepsOf(
  db: Queryable,
  q: ViewQuery,
  asOf: string,
  counted: Promise<Map<string, StepCountsRow>>,
): Promise<ViewRow[]> {
  const w = window(q, asOf, 'opened_at').also('(active OR stuck_step IS NOT NULL OR stalled_step IS NOT NULL)');
  const at = w.param(asOf);
  const holding = db.query<{ job_type: string; version?: number; step_id: string; open: number; stalled: number }>(
    `WITH held AS (
       SELECT job_type, version, next_step, active,
              CASE WHEN stalled_at < ${at} THEN stalled_step
                   WHEN stuck_since < ${at}::timestamptz - stall_after_ms * interval '1 millisecond' THEN stuck_step END AS stalled_step
         FROM view_steps ${w.sql}
     )
     SELECT ${by(q)}, step_id, sum(open)::int AS open, sum(stalled)::int AS stalled
       FROM (SELECT job_type, version, next_step AS step_id, 1 AS open, 0 AS stalled FROM held WHERE active
             UNION ALL
             SELECT job_type, version, stalled_step, 0, 1 FROM held WHERE stalled_step IS NOT NULL) x
      GROUP BY ${by(q)}, step_id`,
    w.params,
  );
  const [sums, held] = await Promise.all([counted, holding]);
  const heldAt = new Map(held.rows.map((r) => [[r.job_type, r.version ?? '', r.step_id].join(' '), r]));
  return [...sums]
    .sort(([, a], [, b]) => inStepOrder(q, a, b))
    .map(([key, c]) => ({
      jobType: c.jobType,
      ...versionOf(q, c),
      stepId: c.stepId,
      open: heldAt.get(key)?.open ?? 0,
      completed: c.completed,
      blocked: c.blocked,
      stalled: heldAt.get(key)?.stalled ?? 0,
      p50Seconds: percentileOf(c.seconds, 0.5),
      p95Seconds: percentileOf(c.seconds, 0.95),
    }));
}

/** step-exceptions: per step, the codes it was blocked with and how many times, the most first. */
export async function stepExceptions(db: Queryable, q: ViewQuery, asOf: string): Promise<ViewRow[]> {
  return stepExceptionsOf(q, await countsOfWindow(db, q, asOf, false));
}

function stepExceptionsOf(q: ViewQuery, sums: Map<string, StepCountsRow>): ViewRow[] {
  return [...sums.values()]
    .sort((a, b) => inStepOrder(q, a, b))
    .flatMap((c) =>
      Object.entries(c.codes)
        .sort(([x, n], [y, m]) => m - n || (x < y ? -1 : x > y ? 1 : 0))
        .map(([code, count]) => ({ jobType: c.jobType, ...versionOf(q, c), stepId: c.stepId, code, count })),
    );
}

/**
 * gates: per gate node of the map (a wait rule's id, or `gate:<gate>` of a stage or overlay), its
 * approvals by status (`pending`: requested, no decision yet) and the p50 in seconds from request
 * to first decision of those decided. Read from the partial index view_approvals_gates alone.
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

/** rules: action decisions per rule (null: the boundary decided) and decision; the whole days counted by day. */
export async function rules(db: Queryable, q: ViewQuery, asOf: string): Promise<ViewRow[]> {
  const days = wholeDays(q, asOf);
  const w = outside(window(q, asOf, 'opened_at'), days, 'opened_at', q, asOf);
  const counted = [`day < ${w.param(days.end.slice(0, 10))}`];
  if (days.first !== null) counted.push(`day >= ${w.param(days.first.slice(0, 10))}`);
  if (q.jobType !== undefined) counted.push(`job_type = ${w.param(q.jobType)}`);
  const { rows } = await db.query<{
    job_type: string;
    version?: number;
    rule: string | null;
    decision: string;
    n: number;
  }>(
    `SELECT ${by(q)}, rule, decision, sum(n)::int AS n
       FROM (SELECT job_type, version, rule, decision, decisions AS n FROM view_decision_counts WHERE ${counted.join(' AND ')}
             UNION ALL
             SELECT job_type, version, rule, decision, 1 FROM view_decisions ${w.sql}) counted
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
 * code's escalation rule. Each exception keeps its work order's opening: read from the index
 * view_exceptions_opened alone, without a join.
 */
export async function exceptionCodes(db: Queryable, q: ViewQuery, asOf: string): Promise<ViewRow[]> {
  const w = window(q, asOf, 'opened_at');
  const at = w.param(asOf);
  w.also(`raised_at <= ${at}`);
  const { rows } = await db.query<{
    job_type: string;
    version?: number;
    code: string;
    count: number;
    open: number;
    overdue: number;
    escalated: number;
  }>(
    `SELECT ${by(q)}, code, count(*)::int AS count,
            count(*) FILTER (WHERE escalated_at <= ${at})::int AS escalated,
            count(*) FILTER (WHERE resolved_at IS NULL OR resolved_at > ${at})::int AS open,
            count(*) FILTER (WHERE (resolved_at IS NULL OR resolved_at > ${at}) AND due_at < ${at})::int AS overdue
       FROM view_exceptions ${w.sql}
      GROUP BY ${by(q)}, code ORDER BY ${by(q)}, count DESC, code`,
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

/**
 * The live map's five views for one job type and window at once, each answering what the view
 * itself answers: steps and step-exceptions share one read of the window's step counts, and the
 * queries run side by side.
 */
export async function liveMapViews(db: Queryable, query: LiveMapQuery | undefined): Promise<LiveMapViewRows> {
  if (typeof query?.jobType !== 'string') throw new WorkgateError('validation_failed', 'jobType is required');
  const q: ViewQuery = { view: 'steps', jobType: query.jobType, from: query.from, to: query.to, asOf: query.asOf };
  const asOf = checkTimes(q);
  const counted = countsOfWindow(db, q, asOf);
  const [stepRows, gateRows, ruleRows, codeRows] = await Promise.all([
    stepsOf(db, q, asOf, counted),
    gates(db, q, asOf),
    rules(db, q, asOf),
    exceptionCodes(db, q, asOf),
  ]);
  return {
    steps: stepRows,
    stepExceptions: stepExceptionsOf(q, await counted),
    gates: gateRows,
    rules: ruleRows,
    exceptionCodes: codeRows,
  };
}
