/** What the streams the approvals service decides on record: approvals, post-reviews, delegations. */
import { Evidence } from './evidence';
import type { EvidenceInput } from './evidence-input';
import type { WorkflowChangeRef } from './workflow-change';
import type { PatternChangeRef } from './patterns';

/** What an approval permits: an action's scope and, optionally, the objects it is limited to. */
export interface PermittedAction {
  system: string;
  operation: string;
  kind: 'read' | 'write';
  /** Objects the permission is limited to (none: the scope as a whole). */
  objects?: string[];
  /**
   * For a tool call (an action that names its arguments' hash): this exact call, once. Without it,
   * an approval of a tool call covers every call of that tool on the work order from then on.
   */
  argumentsSha256?: string;
}

/** A condition as a conditional approval names it: a title, or `{id?, title, owner?, due?}` (due: an RFC 3339 time or an ISO 8601 duration from the decision). */
export type ConditionInput = string | { id?: string; title: string; owner?: string; due?: string };

export interface ApprovalCondition {
  conditionId: string;
  /** The condition's title. */
  text: string;
  /** Who must meet it (absent on conditions recorded before owners: the approval's owner). */
  owner?: string;
  dueAt?: string;
  closed: boolean;
  /** The evidence it was closed with. */
  evidence?: Evidence[];
}

export interface ApprovalRequestedData {
  approvalId: string;
  /** The work order it belongs to; absent on a `workflow-change` approval, which belongs to its job type. */
  workOrderId?: string;
  /** The waiting action, or else the gate request that asks for this approval. */
  actionId: string;
  owner: string;
  requestedBy: string;
  requestedAt: string;
  expiresAt: string;
  /** Scope hash of the action that waits for this approval. */
  scopeHash: string;
  /** What kind of approval (a rule's or a gate's kind, `change-order`); absent on approvals recorded before kinds. */
  kind?: string;
  /** The action the approver must name as the permitted action. */
  action?: PermittedAction;
  /** A `workflow-change` approval: the version proposed and its diff. */
  change?: WorkflowChangeRef;
  /** A `pattern-change` approval: the pattern version proposed and its diff (docs/patterns.md, Changing a pattern). */
  patternChange?: PatternChangeRef;
  /** A `workflow-change` approval its owner asked for: who decides it instead (any one of them). */
  reviewers?: string[];
  /**
   * An approval its rule or gate asks of several approvers (`approvals: {required, from}`,
   * docs/policy.md, Two-person approvals): how many distinct approvers must approve...
   */
  required?: number;
  /** ...and who may (principal ids; never the requester). */
  from?: string[];
}

/** One approver's decision on an approval that asks for `required` of several (docs/policy.md, Two-person approvals). */
export interface ApprovalDecisionRecordedData {
  approvalId: string;
  by: string;
  decision: 'approve' | 'reject' | 'conditional';
  at: string;
  /** What an approve or a conditional decision permits: the same for every approver. */
  permittedAction?: PermittedAction;
  /** A conditional decision's conditions: it counts once they are closed. */
  conditions?: ApprovalCondition[];
  note?: string;
}

export interface ApprovalGrantedData {
  approvalId: string;
  decidedBy: string;
  permittedAction: PermittedAction;
  at: string;
  note?: string;
  /** An approval of several approvers: every approver whose decision counted, in the order they decided. */
  approvers?: string[];
}

export interface ApprovalConditionedData {
  approvalId: string;
  decidedBy: string;
  permittedAction: PermittedAction;
  conditions: ApprovalCondition[];
  at: string;
  note?: string;
}

export interface ApprovalConditionClosedData {
  approvalId: string;
  conditionId: string;
  closedBy: string;
  /** A list (a single object in conditions closed by versions that took one). */
  evidence: EvidenceInput;
  at: string;
  /** The texts of the conditions still open after this one. */
  openConditions?: string[];
}

export interface ApprovalRejectedData {
  approvalId: string;
  decidedBy: string;
  at: string;
  note?: string;
}

export interface ApprovalExpiredData {
  approvalId: string;
  at: string;
}

/** A `workflow-change` approval its requester (or an admin) took back before anyone decided it. */
export interface ApprovalWithdrawnData {
  approvalId: string;
  withdrawnBy: string;
  at: string;
}

/**
 * Recorded beside the outcome of an approval of a workflow or pattern change (granted, rejected,
 * expired or withdrawn), in the same commit: the event the policy service reacts to, so that it is
 * not handed every other approval's outcome (docs/ledger.md, Who writes which stream).
 */
export interface ApprovalOfChangeSettledData {
  approvalId: string;
  outcome: 'granted' | 'rejected' | 'expired' | 'withdrawn';
  at: string;
}

/** Event type -> data of the `approval-<id>` stream. */
export interface ApprovalEventMap {
  ApprovalRequested: ApprovalRequestedData;
  ApprovalGranted: ApprovalGrantedData;
  ApprovalConditioned: ApprovalConditionedData;
  ApprovalConditionClosed: ApprovalConditionClosedData;
  ApprovalRejected: ApprovalRejectedData;
  ApprovalExpired: ApprovalExpiredData;
  ApprovalWithdrawn: ApprovalWithdrawnData;
  ApprovalDecisionRecorded: ApprovalDecisionRecordedData;
  ApprovalOfChangeSettled: ApprovalOfChangeSettledData;
}

export const ApprovalEvents = {
  Requested: 'ApprovalRequested',
  Granted: 'ApprovalGranted',
  Conditioned: 'ApprovalConditioned',
  ConditionClosed: 'ApprovalConditionClosed',
  Rejected: 'ApprovalRejected',
  Expired: 'ApprovalExpired',
  Withdrawn: 'ApprovalWithdrawn',
  DecisionRecorded: 'ApprovalDecisionRecorded',
  OfChangeSettled: 'ApprovalOfChangeSettled',
} as const satisfies Record<string, keyof ApprovalEventMap>;

/** A post-review's remediation task: what must change so the break-glass is not needed again. */
export interface Remediation {
  title: string;
  owner: string;
  /** RFC 3339. */
  due: string;
}

export interface PostReviewCreatedData {
  postReviewId: string;
  workOrderId: string;
  exceptionId: string;
  reviewer: string;
  dueAt: string;
  at: string;
}

export interface PostReviewOverdueData {
  postReviewId: string;
  reviewer: string;
  dueAt: string;
  at: string;
}

export interface PostReviewCompletedData {
  postReviewId: string;
  completedBy: string;
  outcome: string;
  remediation: Remediation & { taskId: string };
  at: string;
}

/** Event type -> data of the `postreview-<id>` stream. */
export interface PostReviewEventMap {
  PostReviewCreated: PostReviewCreatedData;
  PostReviewOverdue: PostReviewOverdueData;
  PostReviewCompleted: PostReviewCompletedData;
}

export const PostReviewEvents = {
  Created: 'PostReviewCreated',
  Overdue: 'PostReviewOverdue',
  Completed: 'PostReviewCompleted',
} as const satisfies Record<string, keyof PostReviewEventMap>;

export type DelegationCommandKind = 'delegate_task' | 'execute';

/** What a delegate is asked to do; every part is required (a missing one is named in the refusal). */
export interface DelegationPrompt {
  objective?: string;
  scope?: string;
  artifacts?: Array<{ path?: string; access?: string }>;
  verification?: string[];
  completion?: string;
}

export interface DelegationDispatchedData {
  dispatchId: string;
  dispatchCreatedAt: string;
  workOrderId: string;
  recipient: string;
  owner: string;
  dispatchedBy: string;
  command: DelegationCommandKind;
  prompt: DelegationPrompt;
  reminders: string[];
  timeoutAt: string;
}

export interface DelegationReminderDueData {
  dispatchId: string;
  n: number;
  dueAt: string;
  notify: string;
  recipient: string;
  workOrderId: string;
  nextDueAt: string;
}

export interface DelegationConfirmedData {
  dispatchId: string;
  confirmedBy: string;
  at: string;
  note?: string;
}

export interface DelegationTimedOutData {
  dispatchId: string;
  workOrderId: string;
  at: string;
  notify: string;
  reason: string;
}

/** Event type -> data of the `delegation-<dispatchId>` stream. */
export interface DelegationEventMap {
  DelegationDispatched: DelegationDispatchedData;
  DelegationReminderDue: DelegationReminderDueData;
  DelegationConfirmed: DelegationConfirmedData;
  DelegationTimedOut: DelegationTimedOutData;
}

export const DelegationEvents = {
  Dispatched: 'DelegationDispatched',
  ReminderDue: 'DelegationReminderDue',
  Confirmed: 'DelegationConfirmed',
  TimedOut: 'DelegationTimedOut',
} as const satisfies Record<string, keyof DelegationEventMap>;
