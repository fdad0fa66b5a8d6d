import { ViewQuery, ViewRow } from '@workgate/contracts';
import { byVersion, clamp, ratio, versionOf, window } from './query-filters';
import { iso, Queryable } from './view-table';

/** The evidence views answered from the work-order rows (docs/views.md, The views). */

/** closures: work orders closed in [from, to), newest first; `evidence=missing` keeps those closed without closure evidence. */
export async function closures(db: Queryable, q: ViewQuery, asOf: string): Promise<ViewRow[]> {
  const w = window(q, asOf, 'closed_at').also('closed_at IS NOT NULL');
  if (q.evidence === 'missing') w.also('evidence_missing');
  const { rows } = await db.query<{
    id: string;
    job_type: string;
    version: number;
    source: string;
    external_ref: string;
    owner: string;
    closed_at: Date;
    evidence_missing: boolean;
  }>(
    `SELECT id, job_type, version, source, external_ref, owner, closed_at, evidence_missing FROM view_work_orders ${w.sql}
      ORDER BY closed_at DESC, id LIMIT ${w.param(clamp(q.limit, 1000, 10_000))}`,
    w.params,
  );
  return rows.map((r) => ({
    workOrderId: r.id,
    jobType: r.job_type,
    version: r.version,
    source: r.source,
    externalRef: r.external_ref,
    owner: r.owner,
    closedAt: iso(r.closed_at),
    evidence: r.evidence_missing ? 'missing' : 'present',
  }));
}

/**
 * stall-rates: of the work orders opened in [from, to) (by asOf), how many stalled by asOf:
 * blocked (an open exception) or waiting (a pending approval) for longer than their workflow
 * version's `stallAfter` in one spell, finished or still running. `stalledNow`: still in such a
 * spell at asOf; `active`: open or blocked now.
 */
export async function stallRates(db: Queryable, q: ViewQuery, asOf: string): Promise<ViewRow[]> {
  const w = window(q, asOf, 'opened_at');
  const at = w.param(asOf);
  const runningTooLong = `(stuck_since IS NOT NULL AND stuck_since < ${at}::timestamptz - stall_after_ms * interval '1 millisecond')`;
  const { rows } = await db.query<{
    job_type: string;
    version?: number;
    work_orders: number;
    stalled: number;
    stalled_now: number;
    active: number;
  }>(
    `SELECT job_type${byVersion(q)}, count(*)::int AS work_orders,
            count(*) FILTER (WHERE stalled_at < ${at} OR ${runningTooLong})::int AS stalled,
            count(*) FILTER (WHERE ${runningTooLong})::int AS stalled_now,
            count(*) FILTER (WHERE status IN ('open', 'blocked'))::int AS active
       FROM view_work_orders ${w.sql} GROUP BY job_type${byVersion(q)} ORDER BY job_type${byVersion(q)}`,
    w.params,
  );
  return rows.map((r) => ({
    jobType: r.job_type,
    ...versionOf(q, r),
    workOrders: r.work_orders,
    stalled: r.stalled,
    stallRate: ratio(r.stalled, r.work_orders),
    stalledNow: r.stalled_now,
    active: r.active,
  }));
}

/** first-time-fix: of the work orders closed in [from, to), the share closed with no exception and no reopen. */
export async function firstTimeFix(db: Queryable, q: ViewQuery, asOf: string): Promise<ViewRow[]> {
  const w = window(q, asOf, 'closed_at').also('closed_at IS NOT NULL');
  const { rows } = await db.query<{ job_type: string; version?: number; closed: number; first_time_fix: number }>(
    `SELECT job_type${byVersion(q)}, count(*)::int AS closed,
            count(*) FILTER (WHERE exceptions_total = 0 AND reopened = 0)::int AS first_time_fix
       FROM view_work_orders ${w.sql} GROUP BY job_type${byVersion(q)} ORDER BY job_type${byVersion(q)}`,
    w.params,
  );
  return rows.map((r) => ({
    jobType: r.job_type,
    ...versionOf(q, r),
    closed: r.closed,
    firstTimeFix: r.first_time_fix,
    ratio: ratio(r.first_time_fix, r.closed),
  }));
}

/**
 * evidence-completeness: of the work orders closed in [from, to), the share closed with their
 * closure evidence, and the share of their workflow's steps completed (every completed step
 * carried its required evidence; a step left open at closure did not).
 */
export async function evidenceCompleteness(db: Queryable, q: ViewQuery, asOf: string): Promise<ViewRow[]> {
  const w = window(q, asOf, 'closed_at').also('closed_at IS NOT NULL');
  const { rows } = await db.query<{
    job_type: string;
    version?: number;
    closures: number;
    closures_with_evidence: number;
    steps_required: number;
    steps_with_evidence: number;
  }>(
    `SELECT job_type${byVersion(q)}, count(*)::int AS closures,
            count(*) FILTER (WHERE NOT evidence_missing)::int AS closures_with_evidence,
            sum(steps_required)::int AS steps_required, sum(least(steps_completed, steps_required))::int AS steps_with_evidence
       FROM view_work_orders ${w.sql} GROUP BY job_type${byVersion(q)} ORDER BY job_type${byVersion(q)}`,
    w.params,
  );
  return rows.map((r) => ({
    jobType: r.job_type,
    ...versionOf(q, r),
    closures: r.closures,
    closuresWithEvidence: r.closures_with_evidence,
    closureShare: ratio(r.closures_with_evidence, r.closures),
    stepsRequired: r.steps_required,
    stepsWithEvidence: r.steps_with_evidence,
    stepShare: ratio(r.steps_with_evidence, r.steps_required),
  }));
}
