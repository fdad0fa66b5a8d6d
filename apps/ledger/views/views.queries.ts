import { PoolClient } from 'pg';
import {
  ExceptionListItem,
  ExceptionListQuery,
  InboxMessage,
  InboxRequest,
  VIEW_NAMES,
  ViewName,
  ViewQuery,
  ViewRow,
  WorkgateError,
  WorkOrderListItem,
  WorkOrderListQuery,
} from '@workgate/contracts';
import { maskStrings } from '@workgate/domain';
import { formatDuration } from '@workgate/workflow';
import { workOrdersTable } from './views.projection';

type Queryable = { query: PoolClient['query'] };

const iso = (v: unknown) => (v instanceof Date ? v.toISOString() : v === null || v === undefined ? null : String(v));
const ratio = (part: number, whole: number) => (whole ? Math.round((part / whole) * 10_000) / 10_000 : null);
const clamp = (limit: number | undefined, fallback: number, max: number) =>
  Math.min(Math.max(Math.floor(typeof limit === 'number' && Number.isFinite(limit) ? limit : fallback), 1), max);

/** WHERE clauses with numbered parameters, built up filter by filter. */
class Where {
  readonly params: unknown[] = [];
  private readonly clauses: string[] = [];

  /** Adds `sql` with `?` standing for `value`'s parameter; skipped when value is undefined. */
  add(sql: string, value?: unknown): this {
    if (arguments.length === 2 && value === undefined) return this;
    if (arguments.length === 1) {
      this.clauses.push(sql);
      return this;
    }
    this.params.push(value);
    this.clauses.push(sql.replace(/\?/g, `$${this.params.length}`));
    return this;
  }

  param(value: unknown): string {
    this.params.push(value);
    return `$${this.params.length}`;
  }

  /** The conditions alone (unqualified columns: they bind to the innermost table). */
  conditions(): string {
    return this.clauses.length ? this.clauses.join(' AND ') : 'TRUE';
  }

  toString(): string {
    return this.clauses.length ? `WHERE ${this.clauses.join(' AND ')}` : '';
  }
}

/** The common filters: [from, to) and not after asOf on the view's time column, and the job type. */
function window(q: ViewQuery, asOf: string, column: string): Where {
  return new Where()
    .add(`${column} >= ?`, q.from)
    .add(`${column} < ?`, q.to)
    .add(`${column} <= ?`, asOf)
    .add('job_type = ?', q.jobType);
}

function checkTimes(q: ViewQuery): string {
  for (const name of ['from', 'to', 'asOf'] as const) {
    const value = q[name];
    if (value !== undefined && (typeof value !== 'string' || Number.isNaN(Date.parse(value)))) {
      throw new WorkgateError('validation_failed', `${name} must be an RFC 3339 time`);
    }
  }
  if (q.from && q.to && Date.parse(q.from) > Date.parse(q.to))
    throw new WorkgateError('validation_failed', 'from must not be after to');
  return q.asOf ? new Date(q.asOf).toISOString() : new Date().toISOString();
}

const byVersion = (q: ViewQuery) => (q.groupBy === 'version' ? ', version' : '');
/** The row's `version` when grouped by version (it follows the first column). */
const versionOf = (q: ViewQuery, r: Record<string, unknown>): ViewRow =>
  q.groupBy === 'version' ? { version: r.version as number } : {};

/** closures: work orders closed in [from, to), newest first; `evidence=missing` keeps those closed without closure evidence. */
async function closures(db: Queryable, q: ViewQuery, asOf: string): Promise<ViewRow[]> {
  const w = window(q, asOf, 'closed_at').add('closed_at IS NOT NULL');
  if (q.evidence === 'missing') w.add('evidence_missing');
  const { rows } = await db.query(
    `SELECT id, job_type, version, source, external_ref, owner, closed_at, evidence_missing FROM view_work_orders ${w}
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

/** exception-codes/top: the codes raised most in [from, to), with their owner and open remediations. */
async function topCodes(db: Queryable, q: ViewQuery, asOf: string): Promise<ViewRow[]> {
  const w = window(q, asOf, 'raised_at');
  const at = w.param(asOf);
  const limit = w.param(clamp(q.limit, 10, 1000));
  // The owner is that of the code's latest exception in the window: one index probe per code
  // returned (on (code, raised_at)), cheaper than ordering every exception in an aggregate.
  const { rows } = await db.query(
    `SELECT t.*, (SELECT e.owner FROM view_exceptions e WHERE ${w.conditions()} AND e.code = t.code ORDER BY e.raised_at DESC LIMIT 1) AS owner
       FROM (SELECT code${byVersion(q)}, count(*)::int AS count, count(DISTINCT work_order_id)::int AS work_orders,
                    sum(remediations_open)::int AS open_remediations,
                    count(*) FILTER (WHERE resolved_at IS NULL OR resolved_at > ${at})::int AS open
               FROM view_exceptions ${w}
              GROUP BY code${byVersion(q)} ORDER BY count DESC, code${byVersion(q)} LIMIT ${limit}) t
      ORDER BY t.count DESC, t.code${q.groupBy === 'version' ? ', t.version' : ''}`,
    w.params,
  );
  return rows.map((r) => ({
    code: r.code,
    ...versionOf(q, r),
    count: r.count,
    workOrders: r.work_orders,
    owner: r.owner,
    openRemediations: r.open_remediations,
    open: r.open,
  }));
}

/** exception-trends: exceptions raised per code per day, week (from Monday) or month, oldest first. */
async function trends(db: Queryable, q: ViewQuery, asOf: string): Promise<ViewRow[]> {
  const interval = q.interval ?? 'day';
  if (!['day', 'week', 'month'].includes(interval))
    throw new WorkgateError('validation_failed', 'interval must be day, week or month');
  const w = window(q, asOf, 'raised_at').add('code = ?', q.code);
  const { rows } = await db.query(
    `SELECT to_char(date_trunc('${interval}', raised_at), 'YYYY-MM-DD') AS period, code${byVersion(q)}, count(*)::int AS count
       FROM view_exceptions ${w} GROUP BY 1, code${byVersion(q)} ORDER BY 1, code${byVersion(q)}`,
    w.params,
  );
  return rows.map((r) => ({ period: r.period, code: r.code, ...versionOf(q, r), count: r.count }));
}

/**
 * stall-rates: of the work orders opened in [from, to) (by asOf), how many stalled by asOf:
 * blocked (an open exception) or waiting (a pending approval) for longer than their workflow
 * version's `stallAfter` in one spell, finished or still running. `stalledNow`: still in such a
 * spell at asOf; `active`: open or blocked now.
 */
async function stallRates(db: Queryable, q: ViewQuery, asOf: string): Promise<ViewRow[]> {
  const w = window(q, asOf, 'opened_at');
  const at = w.param(asOf);
  const runningTooLong = `(stuck_since IS NOT NULL AND stuck_since < ${at}::timestamptz - stall_after_ms * interval '1 millisecond')`;
  const { rows } = await db.query(
    `SELECT job_type${byVersion(q)}, count(*)::int AS work_orders,
            count(*) FILTER (WHERE stalled_at < ${at} OR ${runningTooLong})::int AS stalled,
            count(*) FILTER (WHERE ${runningTooLong})::int AS stalled_now,
            count(*) FILTER (WHERE status IN ('open', 'blocked'))::int AS active
       FROM view_work_orders ${w} GROUP BY job_type${byVersion(q)} ORDER BY job_type${byVersion(q)}`,
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

/** post-reviews: the post-reviews open at asOf (created by then, not completed by then), by owner; `overdue` keeps those past due. */
async function postReviews(db: Queryable, q: ViewQuery, asOf: string): Promise<ViewRow[]> {
  const w = window(q, asOf, 'created_at').add('owner = ?', q.owner);
  const at = w.param(asOf);
  w.add(`(completed_at IS NULL OR completed_at > ${at})`);
  if (q.overdue) w.add(`due_at < ${at}`);
  const { rows } = await db.query(
    `SELECT post_review_id, work_order_id, exception_id, job_type, version, owner, created_at, due_at,
            (SELECT wo.source FROM view_work_orders wo WHERE wo.id = view_post_reviews.work_order_id) AS source,
            (SELECT wo.external_ref FROM view_work_orders wo WHERE wo.id = view_post_reviews.work_order_id) AS external_ref
       FROM view_post_reviews ${w}
      ORDER BY owner, due_at, post_review_id LIMIT ${w.param(clamp(q.limit, 1000, 10_000))}`,
    w.params,
  );
  const now = Date.parse(asOf);
  return rows.map((r) => {
    const late = now - (r.due_at as Date).getTime();
    return {
      postReviewId: r.post_review_id,
      workOrderId: r.work_order_id,
      exceptionId: r.exception_id,
      jobType: r.job_type,
      owner: r.owner,
      createdAt: iso(r.created_at),
      dueAt: iso(r.due_at),
      overdue: late > 0,
      overdueBy: late > 0 ? formatDuration(late) : null,
      overdueSeconds: late > 0 ? Math.floor(late / 1000) : 0,
      source: r.source ?? null,
      externalRef: r.external_ref ?? null,
    };
  });
}

/** first-time-fix: of the work orders closed in [from, to), the share closed with no exception and no reopen. */
async function firstTimeFix(db: Queryable, q: ViewQuery, asOf: string): Promise<ViewRow[]> {
  const w = window(q, asOf, 'closed_at').add('closed_at IS NOT NULL');
  const { rows } = await db.query(
    `SELECT job_type${byVersion(q)}, count(*)::int AS closed,
            count(*) FILTER (WHERE exceptions_total = 0 AND reopened = 0)::int AS first_time_fix
       FROM view_work_orders ${w} GROUP BY job_type${byVersion(q)} ORDER BY job_type${byVersion(q)}`,
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

/** approvals: approvals requested in [from, to) by asOf, by owner, oldest first, with their age at asOf. */
async function approvals(db: Queryable, q: ViewQuery, asOf: string): Promise<ViewRow[]> {
  const status = q.status ?? 'pending';
  const w = window(q, asOf, 'requested_at').add('owner = ?', q.owner);
  if (status === 'pending') w.add(`status IN ('requested', 'conditional')`);
  else if (status !== 'all') w.add('status = ?', status);
  const { rows } = await db.query(
    `SELECT approval_id, work_order_id, action_id, job_type, owner, requested_by, status, requested_at, expires_at, decided_by,
            (SELECT wo.source FROM view_work_orders wo WHERE wo.id = view_approvals.work_order_id) AS source,
            (SELECT wo.external_ref FROM view_work_orders wo WHERE wo.id = view_approvals.work_order_id) AS external_ref
       FROM view_approvals ${w} ORDER BY owner, requested_at, approval_id LIMIT ${w.param(clamp(q.limit, 1000, 10_000))}`,
    w.params,
  );
  const now = Date.parse(asOf);
  return rows.map((r) => {
    const age = Math.max(0, now - (r.requested_at as Date).getTime());
    return {
      approvalId: r.approval_id,
      workOrderId: r.work_order_id,
      actionId: r.action_id,
      jobType: r.job_type,
      owner: r.owner,
      requestedBy: r.requested_by,
      status: r.status,
      requestedAt: iso(r.requested_at),
      expiresAt: iso(r.expires_at),
      decidedBy: r.decided_by ?? null,
      age: formatDuration(age),
      ageSeconds: Math.floor(age / 1000),
      source: r.source ?? null,
      externalRef: r.external_ref ?? null,
    };
  });
}

/**
 * evidence-completeness: of the work orders closed in [from, to), the share closed with their
 * closure evidence, and the share of their workflow's steps completed (every completed step
 * carried its required evidence; a step left open at closure did not).
 */
async function evidenceCompleteness(db: Queryable, q: ViewQuery, asOf: string): Promise<ViewRow[]> {
  const w = window(q, asOf, 'closed_at').add('closed_at IS NOT NULL');
  const { rows } = await db.query(
    `SELECT job_type${byVersion(q)}, count(*)::int AS closures,
            count(*) FILTER (WHERE NOT evidence_missing)::int AS closures_with_evidence,
            sum(steps_required)::int AS steps_required, sum(least(steps_completed, steps_required))::int AS steps_with_evidence
       FROM view_work_orders ${w} GROUP BY job_type${byVersion(q)} ORDER BY job_type${byVersion(q)}`,
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

const VIEWS: Record<ViewName, (db: Queryable, q: ViewQuery, asOf: string) => Promise<ViewRow[]>> = {
  closures,
  'exception-codes/top': topCodes,
  'exception-trends': trends,
  'stall-rates': stallRates,
  'post-reviews': postReviews,
  'first-time-fix': firstTimeFix,
  approvals,
  'evidence-completeness': evidenceCompleteness,
};

/** Answers one view (SPEC section 5). */
export async function queryView(db: Queryable, q: ViewQuery): Promise<ViewRow[]> {
  if (!q || !VIEW_NAMES.includes(q.view))
    throw new WorkgateError('not_found', `no view "${q?.view}" (views: ${VIEW_NAMES.join(', ')})`);
  if (q.groupBy !== undefined && q.groupBy !== 'version')
    throw new WorkgateError('validation_failed', 'groupBy must be version');
  const asOf = checkTimes(q);
  return VIEWS[q.view](db, q, asOf);
}

/** Newest first. */
export async function listWorkOrders(db: Queryable, q: WorkOrderListQuery): Promise<WorkOrderListItem[]> {
  const w = new Where()
    .add('source = ?', q.source)
    .add('external_ref = ?', q.externalRef)
    .add('job_type = ?', q.jobType)
    .add('status = ?', q.status);
  const { rows } = await db.query(
    `SELECT id, source, external_ref, job_type, version, owner, status, opened_at, updated_at, closed_at, evidence_missing, reopened
       FROM view_work_orders ${w} ORDER BY opened_at DESC, id LIMIT ${w.param(clamp(q.limit, 100, 1000))}`,
    w.params,
  );
  return rows.map((r) => {
    const row = workOrdersTable.fromDb(r);
    return {
      id: row.id,
      source: row.source,
      externalRef: row.externalRef,
      jobType: row.jobType,
      version: row.version,
      owner: row.owner,
      status: row.status,
      openedAt: row.openedAt,
      updatedAt: row.updatedAt,
      closedAt: row.closedAt ?? null,
      evidenceMissing: row.evidenceMissing,
      reopened: row.reopened,
    };
  });
}

/** Exceptions by owner, the soonest due first, with the work order's reference; the open ones unless `status` says otherwise. */
export async function listExceptions(db: Queryable, q: ExceptionListQuery): Promise<ExceptionListItem[]> {
  const status = q.status ?? 'open';
  if (!['open', 'resolved', 'all'].includes(status))
    throw new WorkgateError('validation_failed', 'status must be open, resolved or all');
  const w = new Where().add('e.owner = ?', q.owner);
  if (status === 'open') w.add('e.resolved_at IS NULL');
  if (status === 'resolved') w.add('e.resolved_at IS NOT NULL');
  const { rows } = await db.query(
    `SELECT e.*, w.external_ref, w.source FROM view_exceptions e JOIN view_work_orders w ON w.id = e.work_order_id ${w}
      ORDER BY e.owner, e.due_at, e.exception_id LIMIT ${w.param(clamp(q.limit, 500, 1000))}`,
    w.params,
  );
  return rows.map((r) => ({
    exceptionId: r.exception_id,
    workOrderId: r.work_order_id,
    externalRef: r.external_ref,
    source: r.source,
    jobType: r.job_type,
    code: r.code,
    owner: r.owner,
    stepId: r.step_id ?? null,
    raisedAt: iso(r.raised_at)!,
    dueAt: iso(r.due_at)!,
    resolvedAt: iso(r.resolved_at),
    slaBreached: r.sla_breached,
    remediationsOpen: r.remediations_open,
  }));
}

/**
 * A recipient's inbox, oldest first: the delegations dispatched to it (from `since`, of one command
 * kind). Their prompts are shown masked (SPEC 7), rows folded before masking was done included; the
 * ledger keeps what was sent, for ops leads.
 */
export async function inboxMessages(db: Queryable, q: InboxRequest): Promise<InboxMessage[]> {
  if (typeof q.recipient !== 'string' || q.recipient === '')
    throw new WorkgateError('validation_failed', 'recipient is required');
  if (q.since !== undefined && Number.isNaN(Date.parse(q.since)))
    throw new WorkgateError('validation_failed', 'since must be an RFC 3339 time');
  const w = new Where()
    .add('recipient = ?', q.recipient)
    .add('dispatch_created_at >= ?', q.since)
    .add('command = ?', q.filter === 'all' ? undefined : q.filter);
  const { rows } = await db.query<{ message: InboxMessage }>(
    `SELECT message FROM view_inbox ${w} ORDER BY dispatch_created_at, dispatch_id LIMIT ${w.param(clamp(q.limit, 500, 1000))}`,
    w.params,
  );
  return rows.map((r) => ({ ...r.message, prompt: maskStrings(r.message.prompt) }));
}
