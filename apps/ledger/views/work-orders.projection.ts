import {
  ApprovalEvents,
  idOfStream,
  PostReviewEvents,
  WorkOrderEvents,
  WorkOrderListItem,
  WorkOrderListQuery,
} from '@workgate/contracts';
import { clamp, Where } from './query-filters';
import { HandledEvent, Handles } from './view-event';
import { View } from './view-projection';
import { Queryable, ViewTable } from './view-table';
import { DEFAULT_STALL_MS, WorkflowLookup } from './workflows.projection';

/** A work order's row: what the list answers, and what the other views count from. */
export interface WorkOrderRow extends WorkOrderListItem {
  openExceptions: number;
  lastPosition: number;
  /** Every exception it ever had (prerequisites, blocked steps, break-glass): first-time-fix needs none. */
  exceptionsTotal: number;
  pendingApprovals: number;
  /** Since when it has been blocked (an open exception) or waiting (a pending approval); null when neither. */
  stuckSince: string | null;
  /** When a finished blocked-or-waiting spell first passed the stall threshold (the first such spell); null if none did. */
  stalledAt: string | null;
  /** Its workflow version's `stallAfter`, in ms. */
  stallAfterMs: number;
  /** Its workflow version's number of steps. */
  stepsRequired: number;
  stepsCompleted: number;
  /** Its exceptions per code (as `exceptionsTotal` counts them): the department comparison counts them by code. */
  exceptionCodes: Record<string, number>;
  /** Whether it owes a post-review (a break-glass, or a post-review created for it). */
  breakGlass: boolean;
}

/** Every event that may open, start or end a work order's stuck spell, or move its steps. */
export const STUCK_SPELL_EVENTS = {
  [WorkOrderEvents.Opened]: 'workorder',
  [WorkOrderEvents.StepCompleted]: 'workorder',
  [WorkOrderEvents.StepBlocked]: 'workorder',
  [WorkOrderEvents.BreakGlassUsed]: 'workorder',
  [WorkOrderEvents.ExceptionClosed]: 'workorder',
  [WorkOrderEvents.ApprovalResolved]: 'workorder',
  [WorkOrderEvents.Closed]: 'workorder',
  [WorkOrderEvents.ClosureReported]: 'workorder',
  [WorkOrderEvents.Reopened]: 'workorder',
  [WorkOrderEvents.Stopped]: 'workorder',
  [ApprovalEvents.Requested]: 'approval',
} as const satisfies Handles;

const handles = {
  ...STUCK_SPELL_EVENTS,
  // Its work order is read for the post-reviews view, and owes a post-review.
  [PostReviewEvents.Created]: 'postreview',
  // Changes nothing here: its work order is read for the decisions view.
  [WorkOrderEvents.ActionDecided]: 'workorder',
} as const satisfies Handles;

type WorkOrderEvent = HandledEvent<typeof handles>;

/** The work orders a page has, as far as it has folded. */
export type WorkOrderLookup = { workOrder(id: string): WorkOrderRow | undefined };

export const workOrdersTable = new ViewTable<WorkOrderRow>('view_work_orders', 'id', [
  ['id', 'uuid', 'id'],
  ['source', 'text', 'source'],
  ['external_ref', 'text', 'externalRef'],
  ['job_type', 'text', 'jobType'],
  ['version', 'bigint', 'version'],
  ['owner', 'text', 'owner'],
  ['status', 'text', 'status'],
  ['opened_at', 'timestamptz', 'openedAt'],
  ['updated_at', 'timestamptz', 'updatedAt'],
  ['closed_at', 'timestamptz', 'closedAt'],
  ['evidence_missing', 'bool', 'evidenceMissing'],
  ['reopened', 'int', 'reopened'],
  ['open_exceptions', 'int', 'openExceptions'],
  ['last_position', 'bigint', 'lastPosition'],
  ['exceptions_total', 'int', 'exceptionsTotal'],
  ['pending_approvals', 'int', 'pendingApprovals'],
  ['stuck_since', 'timestamptz', 'stuckSince'],
  ['stalled_at', 'timestamptz', 'stalledAt'],
  ['stall_after_ms', 'bigint', 'stallAfterMs'],
  ['steps_required', 'int', 'stepsRequired'],
  ['steps_completed', 'int', 'stepsCompleted'],
  ['exception_codes', 'jsonb', 'exceptionCodes'],
  ['break_glass', 'bool', 'breakGlass'],
]);

/** Counts one more exception of `x`'s code into `codes` (changed in place). */
const withCode = (codes: Record<string, number>, x: { code: string }): Record<string, number> => {
  codes[x.code] = (codes[x.code] ?? 0) + 1;
  return codes;
};

/** Whether a work order is blocked or waiting now; opens or ends a stuck spell at `at` (changes `row`, a fresh copy). */
function restate(row: WorkOrderRow, at: string): WorkOrderRow {
  const active = row.status === 'open' || row.status === 'blocked';
  const stuck = active && (row.openExceptions > 0 || row.pendingApprovals > 0);
  if (stuck && row.stuckSince === null) row.stuckSince = at;
  if (!stuck && row.stuckSince !== null) {
    const since = Date.parse(row.stuckSince);
    if (row.stalledAt === null && Date.parse(at) - since > row.stallAfterMs)
      row.stalledAt = new Date(since + row.stallAfterMs).toISOString();
    row.stuckSince = null;
  }
  return row;
}

function opened(
  e: Extract<WorkOrderEvent, { type: 'WorkOrderOpened' }>,
  id: string,
  ctx: WorkflowLookup,
): WorkOrderRow {
  const o = e.data;
  const at = e.occurredAt;
  const workflow = ctx.workflow(o.policy.jobType, o.policy.version);
  return restate(
    {
      id,
      source: o.source,
      externalRef: o.externalRef,
      jobType: o.policy.jobType,
      version: o.policy.version,
      owner: o.owner,
      status: o.status,
      openedAt: at,
      updatedAt: at,
      closedAt: null,
      evidenceMissing: false,
      reopened: 0,
      openExceptions: o.exceptions.length,
      lastPosition: e.position,
      exceptionsTotal: o.exceptions.length,
      pendingApprovals: 0,
      stuckSince: null,
      stalledAt: null,
      stallAfterMs: workflow?.stallAfterMs ?? DEFAULT_STALL_MS,
      stepsRequired: workflow?.steps ?? 0,
      stepsCompleted: 0,
      exceptionCodes: o.exceptions.reduce<Record<string, number>>(withCode, {}),
      breakGlass: false,
    },
    at,
  );
}

/** A fresh copy of a row, touched at `at` by the event at `position` (written out: one shape for every row, cheaper than a spread). */
function copy(row: WorkOrderRow, at: string, position: number): WorkOrderRow {
  return {
    id: row.id,
    source: row.source,
    externalRef: row.externalRef,
    jobType: row.jobType,
    version: row.version,
    owner: row.owner,
    status: row.status,
    openedAt: row.openedAt,
    updatedAt: at,
    closedAt: row.closedAt,
    evidenceMissing: row.evidenceMissing,
    reopened: row.reopened,
    openExceptions: row.openExceptions,
    lastPosition: position,
    exceptionsTotal: row.exceptionsTotal,
    pendingApprovals: row.pendingApprovals,
    stuckSince: row.stuckSince,
    stalledAt: row.stalledAt,
    stallAfterMs: row.stallAfterMs,
    stepsRequired: row.stepsRequired,
    stepsCompleted: row.stepsCompleted,
    exceptionCodes: row.exceptionCodes,
    breakGlass: row.breakGlass,
  };
}

/** What an event of the work order's own stream (or an approval requested for it) makes of its row. */
function changed(
  row: WorkOrderRow,
  e: Exclude<WorkOrderEvent, { type: 'WorkOrderOpened' | 'PostReviewCreated' | 'ActionDecided' }>,
) {
  const next = copy(row, e.occurredAt, e.position);
  switch (e.type) {
    case WorkOrderEvents.StepCompleted:
      next.stepsCompleted += 1;
      break;
    case WorkOrderEvents.StepBlocked:
    case WorkOrderEvents.BreakGlassUsed:
      next.openExceptions += 1;
      next.exceptionsTotal += 1;
      next.exceptionCodes = withCode({ ...next.exceptionCodes }, e.data);
      if (e.type === WorkOrderEvents.BreakGlassUsed) next.breakGlass = true;
      if (next.status !== 'closed') next.status = 'blocked';
      break;
    case WorkOrderEvents.ExceptionClosed:
      next.openExceptions = Math.max(0, next.openExceptions - 1);
      if (next.status === 'blocked' && next.openExceptions === 0) next.status = 'open';
      break;
    case ApprovalEvents.Requested:
      next.pendingApprovals += 1;
      break;
    case WorkOrderEvents.ApprovalResolved:
      next.pendingApprovals = Math.max(0, next.pendingApprovals - 1);
      break;
    case WorkOrderEvents.Closed:
    case WorkOrderEvents.ClosureReported:
      next.status = 'closed';
      next.closedAt = e.occurredAt;
      next.evidenceMissing = e.type === WorkOrderEvents.ClosureReported && e.data.evidenceMissing;
      break;
    case WorkOrderEvents.Stopped:
      next.status = 'stopped';
      break;
    case WorkOrderEvents.Reopened:
      next.status = next.openExceptions > 0 ? 'blocked' : 'open';
      next.closedAt = null;
      next.evidenceMissing = false;
      next.reopened += 1;
      break;
    default: {
      const unhandled: never = e;
      return unhandled;
    }
  }
  return restate(next, e.occurredAt);
}

/** `view_work_orders`: one row per work order, its status and the counts the evidence views read. */
export const workOrdersView: View<WorkOrderRow, typeof handles, WorkflowLookup> = {
  table: workOrdersTable,
  handles,
  // A work order opened in the page has no row yet: its opening is folded once (each page commits with its checkpoint).
  read: { by: 'id', startedBy: WorkOrderEvents.Opened },
  key: (row) => row.id,
  ids: (e) =>
    e.type === ApprovalEvents.Requested || e.type === PostReviewEvents.Created
      ? // A workflow-change approval belongs to no work order.
        e.data.workOrderId
        ? [e.data.workOrderId]
        : []
      : [idOfStream(e.streamId)],
  evolve: (row, e, id, ctx) => {
    if (e.type === WorkOrderEvents.Opened) return row ?? opened(e, id, ctx);
    // A post-review created for it (its break-glass usually marked it already): it owes one.
    if (e.type === PostReviewEvents.Created) return row && !row.breakGlass ? { ...row, breakGlass: true } : row;
    if (e.type === WorkOrderEvents.ActionDecided || !row) return row;
    return changed(row, e);
  },
};

/** The work orders list (GET /v1/work-orders): newest first. */
export async function listWorkOrders(db: Queryable, q: WorkOrderListQuery): Promise<WorkOrderListItem[]> {
  const w = new Where()
    .add('source = ?', q.source)
    .add('external_ref = ?', q.externalRef)
    .add('job_type = ?', q.jobType)
    .add('status = ?', q.status);
  const { rows } = await db.query<Record<string, unknown>>(
    `SELECT id, source, external_ref, job_type, version, owner, status, opened_at, updated_at, closed_at, evidence_missing, reopened
       FROM view_work_orders ${w.sql} ORDER BY opened_at DESC, id LIMIT ${w.param(clamp(q.limit, 100, 1000))}`,
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
