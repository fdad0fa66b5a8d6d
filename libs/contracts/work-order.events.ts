/** What the `workorder-<id>` stream records: the data of each event type, declared once. */
import type { DelegationDispatchedData, PermittedAction } from './approval.events';
import type { Evidence } from './evidence';
import { ActionRequest, ActionScope, ApprovalQuorum, DecisionResult, Facts, PolicyRef } from './policy';

export type { Evidence } from './evidence';

/** `stopped`: halted with a reason (e.g. a delegation timed out); actions are refused until it is reopened. */
export type WorkOrderStatus = 'open' | 'blocked' | 'closed' | 'stopped';

export interface PrerequisiteCheck {
  name: string;
  ok: boolean;
  reason?: string;
}

/** An exception as the work order records it; its own `exception-<id>` stream starts in the same commit. */
export interface ExceptionRef {
  exceptionId: string;
  code: string;
  owner: string;
  dueAt: string;
  stepId: string | null;
  rationale: string;
}

/** The scope an approval or an action belongs to: the original one, or a scope change's added scope. */
export const ORIGINAL_SCOPE = 'original';

export type ApprovalStatus = 'requested' | 'conditional' | 'approved' | 'rejected' | 'expired' | 'withdrawn';

/** What asked for a gate approval. */
export interface GateSource {
  stageId?: string;
  overlayId?: string;
  scopeChangeId?: string;
  /** The action waiting on this approval (a rule's `wait`). */
  actionId?: string;
}

export interface WorkOrderOpenedData {
  workOrderId: string;
  source: string;
  externalRef: string;
  policy: PolicyRef;
  owner: string;
  inputs: Record<string, unknown>;
  prerequisites: PrerequisiteCheck[];
  status: 'open' | 'blocked';
  exceptions: ExceptionRef[];
}

/** Recorded before each ActionDecided by earlier versions only: ActionDecided carries the request. */
export interface ActionRequestedData {
  actionId: string;
  workOrderId: string;
  action: ActionRequest;
  facts: Facts;
}

/** An action request and its one verdict (docs/policy.md, Deciding). */
export interface ActionDecidedData {
  actionId: string;
  workOrderId: string;
  action: ActionRequest;
  facts: Facts;
  workOrder: Record<string, unknown>;
  decision: DecisionResult;
  /** `wait`: the approval opened for it; a gate or scope stop: the approval that must approve first. */
  approvalId?: string;
  /** The kind of the approval a `wait` opened (the rule's gate). */
  gate?: string;
  /** The scope change the action belongs to (absent: the original scope). */
  scope?: string;
  /** Recorded by earlier versions when a scope change or an overlay gate held the action: what the boundary and rules alone decided. */
  policyDecision?: DecisionResult;
  /** Scope the work order's approved scope changes had added when this was decided. */
  addedScope?: ActionScope[];
  /** `approved`: the earlier approval that covers this call. */
  coveredBy?: string;
  /** Private evidence of the request: its rollback note (docs/policy.md, Rollback notes), never on public surfaces. */
  evidence?: Evidence[];
}

/**
 * An approval opened for the work order: a stage gate, an overlay gate, a scope change's track, or
 * (`source.actionId`) the gate of the rule that made an action wait. Its `approval-<id>` stream
 * starts in the same commit.
 */
export interface GateRequestedData {
  workOrderId: string;
  approvalId: string;
  /** The kind of approval (a stage's or overlay's gate, or `change-order`). */
  kind: string;
  owner: string;
  /** `original`, or the scope change whose added scope it approves. */
  scope: string;
  source: GateSource;
  /** The action the approver must name as the permitted action (a waiting action's: with the objects it names). */
  action: ActionScope & { objects?: string[] };
  /** The work order's workflow version (its approval timeout applies). */
  policy: PolicyRef;
  /** The rule's or overlay's `approvals`: distinct approvers needed instead of the owner alone. */
  approvals?: ApprovalQuorum;
}

export interface StageArtifact {
  kind: string;
  ref: string;
}

export interface StageArtifactRecordedData {
  workOrderId: string;
  stageId: string;
  artifact: StageArtifact;
  evidence: Evidence[];
  /** The gate approval this artifact opened. */
  gateApprovalId: string;
}

export interface ScopeChangeTrack {
  approvalId: string;
  kind: string;
  owner: string;
  item: ActionScope;
}

export interface ScopeChangeRequestedData {
  workOrderId: string;
  scopeChangeId: string;
  add: ActionScope[];
  reason: string;
  tracks: ScopeChangeTrack[];
}

/** An approval of this work order turned conditional, or one of its conditions closed. */
export interface ApprovalConditionalData {
  workOrderId: string;
  approvalId: string;
  openConditions: string[];
  decidedBy?: string;
  /** The approval stream's version this reflects: an older update arriving late is ignored. */
  approvalVersion?: number;
}

/**
 * An approval's outcome on its work order. For an approval an action waited for: approved releases
 * it (run), anything else stops it. A gate approval (no `actionId`) opens or keeps shut its gate.
 */
export interface ApprovalResolvedData {
  workOrderId: string;
  actionId?: string;
  approvalId: string;
  outcome: 'approved' | 'rejected' | 'expired';
  decision?: 'run' | 'stop';
  reason: string;
  decidedBy?: string;
  /** `approved`: what the owner permitted (a tool call's approval may cover later calls). */
  permittedAction?: PermittedAction;
  /** `approved` by several approvers: every one whose decision counted (docs/policy.md, Two-person approvals). */
  approvers?: string[];
}

/** A run action was carried out (a tool call forwarded by the MCP gateway): the hashes of what it was asked and answered. */
export interface ActionPerformedData {
  workOrderId: string;
  actionId: string;
  argumentsSha256?: string;
  resultSha256: string;
  isError: boolean;
}

export interface WorkOrderStoppedData {
  workOrderId: string;
  reason: string;
  /** What stopped it, e.g. the delegation's dispatch id. */
  ref?: string;
}

/** A controlled urgent override: the action ran at once, under an exception, with a post-review due. */
export interface BreakGlassUsedData extends ExceptionRef {
  workOrderId: string;
  actionId: string;
  action: ActionRequest;
  facts: Facts;
  postReviewId: string;
  reviewer: string;
  postReviewDueAt: string;
  /** Private evidence of the request: its rollback note, when it carried one. */
  evidence?: Evidence[];
}

/** An exception of this work order was resolved (in its own `exception-<id>` stream). */
export interface WorkOrderExceptionClosedData {
  workOrderId: string;
  exceptionId: string;
  code: string;
  resolvedBy?: string;
}

export interface StepCompletedData {
  workOrderId: string;
  stepId: string;
  evidence: Evidence[];
  note?: string;
}

export interface StepBlockedData extends ExceptionRef {
  workOrderId: string;
}

/** Recorded beside an opening, one per exception its failed prerequisites raise (the opening lists them too): what starts each exception's stream. */
export interface WorkOrderExceptionRaisedData extends ExceptionRef {
  workOrderId: string;
}

export interface WorkOrderClosedData {
  workOrderId: string;
  closureEvidenceId: string;
  evidence: Evidence[];
}

export interface WorkOrderClosureReportedData {
  workOrderId: string;
  source: string;
  closedAt: string;
  note?: string;
  evidence: Evidence[];
  /** True when the source closed it without closure evidence: flagged in the views. */
  evidenceMissing: boolean;
  /** What was still open when the source closed it. */
  openBlockers: string[];
}

export interface WorkOrderReopenedData {
  workOrderId: string;
  reason: string;
}

/**
 * Work delegated to a recipient's inbox under the timeout contract: the `delegation-<dispatchId>`
 * stream starts in the same commit with the same data (`DelegationDispatched`).
 */
export type TaskDelegatedData = DelegationDispatchedData;

/** Event type -> data of the `workorder-<id>` stream. */
export interface WorkOrderEventMap {
  WorkOrderOpened: WorkOrderOpenedData;
  ActionRequested: ActionRequestedData;
  ActionDecided: ActionDecidedData;
  GateRequested: GateRequestedData;
  StageArtifactRecorded: StageArtifactRecordedData;
  ScopeChangeRequested: ScopeChangeRequestedData;
  ApprovalConditional: ApprovalConditionalData;
  ApprovalResolved: ApprovalResolvedData;
  ActionPerformed: ActionPerformedData;
  StepCompleted: StepCompletedData;
  StepBlocked: StepBlockedData;
  BreakGlassUsed: BreakGlassUsedData;
  WorkOrderExceptionRaised: WorkOrderExceptionRaisedData;
  WorkOrderExceptionClosed: WorkOrderExceptionClosedData;
  WorkOrderClosed: WorkOrderClosedData;
  WorkOrderClosureReported: WorkOrderClosureReportedData;
  WorkOrderReopened: WorkOrderReopenedData;
  WorkOrderStopped: WorkOrderStoppedData;
  TaskDelegated: TaskDelegatedData;
}

export const WorkOrderEvents = {
  Opened: 'WorkOrderOpened',
  ActionRequested: 'ActionRequested',
  ActionDecided: 'ActionDecided',
  StepCompleted: 'StepCompleted',
  StepBlocked: 'StepBlocked',
  Closed: 'WorkOrderClosed',
  ClosureReported: 'WorkOrderClosureReported',
  Reopened: 'WorkOrderReopened',
  ApprovalResolved: 'ApprovalResolved',
  ExceptionClosed: 'WorkOrderExceptionClosed',
  BreakGlassUsed: 'BreakGlassUsed',
  Stopped: 'WorkOrderStopped',
  StageArtifactRecorded: 'StageArtifactRecorded',
  GateRequested: 'GateRequested',
  ExceptionRaised: 'WorkOrderExceptionRaised',
  ScopeChangeRequested: 'ScopeChangeRequested',
  ApprovalConditional: 'ApprovalConditional',
  TaskDelegated: 'TaskDelegated',
} as const satisfies Record<string, keyof WorkOrderEventMap>;
