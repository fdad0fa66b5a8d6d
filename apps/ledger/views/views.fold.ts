import {
  ApprovalEvents,
  DelegationEvents,
  InboxMessage,
  BreakGlassUsedData,
  dataOf,
  ExceptionEvents,
  ExceptionRef,
  PolicyEvents,
  PostReviewEvents,
  RecordedEvent,
  WorkflowPublishedData,
  WorkOrderClosureReportedData,
  WorkOrderEvents,
  WorkOrderListItem,
  WorkOrderOpenedData,
} from '@workgate/contracts';
import { DEFAULT_STALL_AFTER, parseDuration } from '@workgate/workflow';

/**
 * The evidence views as one pure fold: `foldViews(rows, event)` changes the rows an event touches.
 * The projection loads the rows a page of events refers to, folds the page in memory and writes
 * back what changed; a rebuild runs the same fold from position 0. Nothing here reads the clock:
 * every "overdue" or "stalled" answer is computed by the view queries against `asOf`.
 */

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
}

export interface ExceptionRow {
  exceptionId: string;
  workOrderId: string;
  jobType: string;
  version: number;
  code: string;
  owner: string;
  stepId: string | null;
  raisedAt: string;
  dueAt: string;
  resolvedAt: string | null;
  slaBreached: boolean;
  remediationsTotal: number;
  remediationsOpen: number;
}

export interface PostReviewRow {
  postReviewId: string;
  workOrderId: string;
  exceptionId: string;
  jobType: string;
  version: number;
  owner: string;
  createdAt: string;
  dueAt: string;
  completedAt: string | null;
}

export interface ApprovalRow {
  approvalId: string;
  workOrderId: string;
  actionId: string;
  jobType: string;
  version: number;
  owner: string;
  requestedBy: string;
  status: string;
  requestedAt: string;
  expiresAt: string;
  decidedBy: string | null;
  updatedAt: string;
}

export interface WorkflowRow {
  jobType: string;
  version: number;
  stallAfterMs: number;
  steps: number;
  publishedAt: string;
}

/** A delegation as its recipient's inbox shows it. */
export interface InboxRow {
  dispatchId: string;
  recipient: string;
  command: string;
  dispatchCreatedAt: string;
  workOrderId: string;
  message: InboxMessage;
}

/** The rows a page works on, by id, and which of them changed (workflows: every version, by `jobType@version`; inbox rows are only ever added). */
export class ViewRows {
  readonly workOrders = new Map<string, WorkOrderRow>();
  readonly exceptions = new Map<string, ExceptionRow>();
  readonly postReviews = new Map<string, PostReviewRow>();
  readonly approvals = new Map<string, ApprovalRow>();
  readonly workflows = new Map<string, WorkflowRow>();
  readonly inbox = new Map<string, InboxRow>();
  readonly changed = {
    workOrders: new Set<string>(),
    exceptions: new Set<string>(),
    postReviews: new Set<string>(),
    approvals: new Set<string>(),
    workflows: new Set<string>(),
  };
}

/** The event types the views read. */
export const VIEW_EVENT_TYPES: string[] = [
  PolicyEvents.WorkflowPublished,
  WorkOrderEvents.Opened,
  WorkOrderEvents.StepCompleted,
  WorkOrderEvents.StepBlocked,
  WorkOrderEvents.BreakGlassUsed,
  WorkOrderEvents.ExceptionClosed,
  WorkOrderEvents.ApprovalResolved,
  WorkOrderEvents.Closed,
  WorkOrderEvents.ClosureReported,
  WorkOrderEvents.Reopened,
  WorkOrderEvents.Stopped,
  ExceptionEvents.Resolved,
  ExceptionEvents.SlaBreached,
  ExceptionEvents.RemediationAdded,
  ExceptionEvents.RemediationClosed,
  PostReviewEvents.Created,
  PostReviewEvents.Completed,
  ApprovalEvents.Requested,
  ApprovalEvents.Granted,
  ApprovalEvents.Conditioned,
  ApprovalEvents.Rejected,
  ApprovalEvents.Expired,
  DelegationEvents.Dispatched,
];

const APPROVAL_STATUS: Record<string, string> = {
  [ApprovalEvents.Granted]: 'approved',
  [ApprovalEvents.Conditioned]: 'conditional',
  [ApprovalEvents.Rejected]: 'rejected',
  [ApprovalEvents.Expired]: 'expired',
};

const DEFAULT_STALL_MS = parseDuration(DEFAULT_STALL_AFTER)!;

const idIn = (streamId: string, prefix: string) =>
  streamId.startsWith(prefix) ? streamId.slice(prefix.length) : undefined;

/** The ids of the rows an event refers to (what a page must load before folding). */
export function referencedIds(e: RecordedEvent): {
  workOrders: string[];
  exceptions: string[];
  postReviews: string[];
  approvals: string[];
} {
  const d = e.data as Record<string, any>;
  const wo = idIn(e.streamId, 'workorder-') ?? (typeof d.workOrderId === 'string' ? d.workOrderId : undefined);
  const exceptions: string[] = [];
  const postReviews: string[] = [];
  const approvals: string[] = [];
  const exceptionStream = idIn(e.streamId, 'exception-');
  if (exceptionStream) exceptions.push(exceptionStream);
  if (e.type === WorkOrderEvents.Opened)
    exceptions.push(...((d.exceptions ?? []) as ExceptionRef[]).map((x) => x.exceptionId));
  if (e.type === WorkOrderEvents.StepBlocked || e.type === WorkOrderEvents.BreakGlassUsed)
    exceptions.push(d.exceptionId);
  const postReviewStream = idIn(e.streamId, 'postreview-');
  if (postReviewStream) postReviews.push(postReviewStream);
  if (e.type === WorkOrderEvents.BreakGlassUsed) postReviews.push(d.postReviewId);
  const approvalStream = idIn(e.streamId, 'approval-');
  if (approvalStream) approvals.push(approvalStream);
  return { workOrders: wo ? [wo] : [], exceptions, postReviews, approvals };
}

/** Whether a work order is blocked or waiting now; opens or ends a stuck spell at `at`. */
function restate(row: WorkOrderRow, at: string): void {
  const active = row.status === 'open' || row.status === 'blocked';
  const stuck = active && (row.openExceptions > 0 || row.pendingApprovals > 0);
  if (stuck && row.stuckSince === null) row.stuckSince = at;
  if (!stuck && row.stuckSince !== null) {
    const since = Date.parse(row.stuckSince);
    if (row.stalledAt === null && Date.parse(at) - since > row.stallAfterMs)
      row.stalledAt = new Date(since + row.stallAfterMs).toISOString();
    row.stuckSince = null;
  }
}

function openException(rows: ViewRows, wo: WorkOrderRow, x: ExceptionRef, at: string): void {
  if (rows.exceptions.has(x.exceptionId)) return;
  rows.exceptions.set(x.exceptionId, {
    exceptionId: x.exceptionId,
    workOrderId: wo.id,
    jobType: wo.jobType,
    version: wo.version,
    code: x.code,
    owner: x.owner,
    stepId: x.stepId ?? null,
    raisedAt: at,
    dueAt: x.dueAt,
    resolvedAt: null,
    slaBreached: false,
    remediationsTotal: 0,
    remediationsOpen: 0,
  });
  rows.changed.exceptions.add(x.exceptionId);
}

function openPostReview(
  rows: ViewRows,
  wo: WorkOrderRow,
  postReviewId: string,
  exceptionId: string,
  owner: string,
  at: string,
  dueAt: string,
): void {
  if (rows.postReviews.has(postReviewId)) return;
  rows.postReviews.set(postReviewId, {
    postReviewId,
    workOrderId: wo.id,
    exceptionId,
    jobType: wo.jobType,
    version: wo.version,
    owner,
    createdAt: at,
    dueAt,
    completedAt: null,
  });
  rows.changed.postReviews.add(postReviewId);
}

export function foldViews(rows: ViewRows, e: RecordedEvent): void {
  const d = e.data as Record<string, any>;
  const at = e.occurredAt;

  if (e.type === PolicyEvents.WorkflowPublished) {
    const w = d as WorkflowPublishedData;
    const key = `${w.jobType}@${w.version}`;
    rows.workflows.set(key, {
      jobType: w.jobType,
      version: w.version,
      stallAfterMs: parseDuration(w.definition.stallAfter ?? DEFAULT_STALL_AFTER) ?? DEFAULT_STALL_MS,
      steps: w.definition.steps?.length ?? 0,
      publishedAt: e.recordedAt,
    });
    rows.changed.workflows.add(key);
    return;
  }

  if (e.type === DelegationEvents.Dispatched) {
    const x = dataOf(e, 'delegation', 'DelegationDispatched');
    const message: InboxMessage = {
      dispatchId: x.dispatchId,
      dispatchCreatedAt: x.dispatchCreatedAt,
      command: x.command,
      workOrderId: x.workOrderId,
      from: x.dispatchedBy,
      prompt: x.prompt,
    };
    rows.inbox.set(x.dispatchId, {
      dispatchId: x.dispatchId,
      recipient: x.recipient,
      command: x.command,
      dispatchCreatedAt: x.dispatchCreatedAt,
      workOrderId: x.workOrderId,
      message,
    });
    return;
  }

  const ids = referencedIds(e);
  const woId = ids.workOrders[0];
  if (e.type === WorkOrderEvents.Opened) {
    if (rows.workOrders.has(woId)) return;
    const o = d as WorkOrderOpenedData;
    const workflow = rows.workflows.get(`${o.policy.jobType}@${o.policy.version}`);
    const wo: WorkOrderRow = {
      id: woId,
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
    };
    restate(wo, at);
    rows.workOrders.set(woId, wo);
    rows.changed.workOrders.add(woId);
    for (const x of o.exceptions) openException(rows, wo, x, at);
    return;
  }

  const wo = woId ? rows.workOrders.get(woId) : undefined;
  if (wo && (e.streamId.startsWith('workorder-') || e.type === ApprovalEvents.Requested)) {
    if (applyToWorkOrder(rows, wo, e, d)) {
      wo.updatedAt = at;
      wo.lastPosition = e.position;
      restate(wo, at);
      rows.changed.workOrders.add(wo.id);
    }
  }

  switch (e.type) {
    case ExceptionEvents.Resolved:
    case ExceptionEvents.SlaBreached:
    case ExceptionEvents.RemediationAdded:
    case ExceptionEvents.RemediationClosed: {
      const x = rows.exceptions.get(ids.exceptions[0]);
      if (!x) return;
      if (e.type === ExceptionEvents.Resolved) x.resolvedAt ??= at;
      if (e.type === ExceptionEvents.SlaBreached) x.slaBreached = true;
      if (e.type === ExceptionEvents.RemediationAdded) {
        x.remediationsTotal += 1;
        x.remediationsOpen += 1;
      }
      if (e.type === ExceptionEvents.RemediationClosed) x.remediationsOpen = Math.max(0, x.remediationsOpen - 1);
      rows.changed.exceptions.add(x.exceptionId);
      return;
    }
    case PostReviewEvents.Created:
      // Usually already opened by its BreakGlassUsed; this covers a post-review from elsewhere.
      if (wo) openPostReview(rows, wo, ids.postReviews[0], d.exceptionId, d.reviewer, at, d.dueAt);
      return;
    case PostReviewEvents.Completed: {
      const p = rows.postReviews.get(ids.postReviews[0]);
      if (!p || p.completedAt) return;
      p.completedAt = at;
      rows.changed.postReviews.add(p.postReviewId);
      return;
    }
    case ApprovalEvents.Requested: {
      const id = ids.approvals[0];
      if (rows.approvals.has(id)) return;
      rows.approvals.set(id, {
        approvalId: id,
        workOrderId: d.workOrderId,
        actionId: d.actionId,
        jobType: wo?.jobType ?? '',
        version: wo?.version ?? 0,
        owner: d.owner,
        requestedBy: d.requestedBy,
        status: 'requested',
        requestedAt: d.requestedAt,
        expiresAt: d.expiresAt,
        decidedBy: null,
        updatedAt: at,
      });
      rows.changed.approvals.add(id);
      return;
    }
    case ApprovalEvents.Granted:
    case ApprovalEvents.Conditioned:
    case ApprovalEvents.Rejected:
    case ApprovalEvents.Expired: {
      const a = rows.approvals.get(ids.approvals[0]);
      if (!a) return;
      a.status = APPROVAL_STATUS[e.type];
      a.decidedBy = d.decidedBy ?? a.decidedBy;
      a.updatedAt = at;
      rows.changed.approvals.add(a.approvalId);
      return;
    }
  }
}

/** The work-order side of an event; answers whether the row changed. */
function applyToWorkOrder(rows: ViewRows, wo: WorkOrderRow, e: RecordedEvent, d: Record<string, any>): boolean {
  switch (e.type) {
    case WorkOrderEvents.StepCompleted:
      wo.stepsCompleted += 1;
      return true;
    case WorkOrderEvents.StepBlocked:
    case WorkOrderEvents.BreakGlassUsed:
      wo.openExceptions += 1;
      wo.exceptionsTotal += 1;
      if (wo.status !== 'closed') wo.status = 'blocked';
      openException(rows, wo, d as ExceptionRef, e.occurredAt);
      if (e.type === WorkOrderEvents.BreakGlassUsed) {
        const b = d as BreakGlassUsedData;
        openPostReview(rows, wo, b.postReviewId, b.exceptionId, b.reviewer, e.occurredAt, b.postReviewDueAt);
      }
      return true;
    case WorkOrderEvents.ExceptionClosed:
      wo.openExceptions = Math.max(0, wo.openExceptions - 1);
      if (wo.status === 'blocked' && wo.openExceptions === 0) wo.status = 'open';
      return true;
    case ApprovalEvents.Requested:
      wo.pendingApprovals += 1;
      return true;
    case WorkOrderEvents.ApprovalResolved:
      wo.pendingApprovals = Math.max(0, wo.pendingApprovals - 1);
      return true;
    case WorkOrderEvents.Closed:
    case WorkOrderEvents.ClosureReported:
      wo.status = 'closed';
      wo.closedAt = e.occurredAt;
      wo.evidenceMissing =
        e.type === WorkOrderEvents.ClosureReported && (d as WorkOrderClosureReportedData).evidenceMissing;
      return true;
    case WorkOrderEvents.Stopped:
      wo.status = 'stopped';
      return true;
    case WorkOrderEvents.Reopened:
      wo.status = wo.openExceptions > 0 ? 'blocked' : 'open';
      wo.closedAt = null;
      wo.evidenceMissing = false;
      wo.reopened += 1;
      return true;
    default:
      return false;
  }
}
