/** Work orders: commands, events and answers crossing process boundaries. */
import { ActionRequest, ActionScope, DecisionResult, Facts, PolicyRef } from './policy';

export interface Evidence {
  kind: string;
  ref: string;
  sha256?: string;
  /** Private evidence never appears on public surfaces (delivery page, notifications). */
  private?: boolean;
  note?: string;
}

/** `stopped`: halted with a reason (e.g. a delegation timed out); actions are refused until it is reopened. */
export type WorkOrderStatus = 'open' | 'blocked' | 'closed' | 'stopped';

export interface PrerequisiteCheck {
  name: string;
  ok: boolean;
  reason?: string;
}

export interface ExceptionRef {
  exceptionId: string;
  code: string;
  owner: string;
  dueAt: string;
  stepId: string | null;
  rationale: string;
}

export const workOrderStream = (id: string) => `workorder-${id}`;

export const WorkOrderEvents = {
  Opened: 'WorkOrderOpened',
  /** Recorded before each ActionDecided by earlier versions only: ActionDecided carries the request. */
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
  /**
   * An approval opened for the work order: a stage gate, an overlay gate, a scope change's track,
   * or (`source.actionId`) the gate of the rule that made an action wait, recorded with its
   * `ActionDecided` (ledgers of earlier versions: only the `ActionDecided`).
   */
  GateRequested: 'GateRequested',
  /**
   * An exception recorded on the work order outside a step: a failed prerequisite, recorded with
   * the `WorkOrderOpened` that also lists it (ledgers of earlier versions: only the opening). The
   * exceptions service makes it an owned exception.
   */
  ExceptionRaised: 'WorkOrderExceptionRaised',
  ScopeChangeRequested: 'ScopeChangeRequested',
  /** An approval of this work order turned conditional, or one of its conditions closed. */
  ApprovalConditional: 'ApprovalConditional',
} as const;

/** The scope an approval or an action belongs to: the original one, or a scope change's added scope. */
export const ORIGINAL_SCOPE = 'original';

export type ApprovalStatus = 'requested' | 'conditional' | 'approved' | 'rejected' | 'expired';

/** What asked for a gate approval. */
export interface GateSource {
  stageId?: string;
  overlayId?: string;
  scopeChangeId?: string;
  /** The action waiting on this approval (a rule's `wait`). */
  actionId?: string;
}

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

export interface ApprovalConditionalData {
  workOrderId: string;
  approvalId: string;
  openConditions: string[];
  decidedBy?: string;
  /** The approval stream's version this reflects: an older update arriving late is ignored. */
  approvalVersion?: number;
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
}

export interface BreakGlassBody {
  code: string;
  rationale: string;
  action: ActionRequest & { facts?: Facts };
}

export interface BreakGlassAnswer {
  actionId: string;
  decision: 'run';
  reason: 'break_glass';
  receiptId: string;
  exception: ExceptionRef;
  postReview: { id: string; owner: string; dueAt: string };
}

/** An exception of this work order was resolved (in its own `exception-<id>` stream). */
export interface WorkOrderExceptionClosedData {
  workOrderId: string;
  exceptionId: string;
  code: string;
  resolvedBy?: string;
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

/** Data of the ActionRequested events that ledgers of earlier versions hold. */
export interface ActionRequestedData {
  actionId: string;
  workOrderId: string;
  action: ActionRequest;
  facts: Facts;
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

// ---- commands (the body of the matching HTTP route / CloudEvent `data`) ----

export interface OpenWorkOrderBody {
  jobType: string;
  externalRef: string;
  source: string;
  inputs: Record<string, unknown>;
  owner?: string;
}

export interface RequestActionBody extends ActionRequest {
  facts?: Facts;
}

export interface CompleteStepBody {
  evidence: Evidence[];
  note?: string;
}

export interface BlockStepBody {
  code: string;
  rationale: string;
}

export interface CloseWorkOrderBody {
  closureEvidenceId: string;
  evidence: Evidence[];
}

export interface ReportClosureBody {
  closedAt?: string;
  note?: string;
  evidence?: Evidence[];
}

export interface ReopenWorkOrderBody {
  reason: string;
}

export interface RecordArtifactBody {
  artifact: StageArtifact;
  evidence?: Evidence[];
}

export interface ChangeScopeBody {
  add: ActionScope[];
  reason: string;
}

/** Who asks, and the id that makes a retry harmless (Idempotency-Key, CloudEvent source+id). */
export interface CommandMeta {
  commandId: string;
  actor: string;
  /** RFC 3339; the time the command takes effect. */
  now: string;
  /** Where it came from: `http` or the CloudEvent source. */
  channel: string;
}

/** A work order is addressed by id, or by source + externalRef (CloudEvents). */
export interface WorkOrderAddress {
  workOrderId?: string;
  source?: string;
  externalRef?: string;
}

export type WorkOrderCommand =
  | { type: 'open'; body: OpenWorkOrderBody }
  | { type: 'request-action'; body: RequestActionBody }
  | { type: 'complete-step'; stepId: string; body: CompleteStepBody }
  | { type: 'block-step'; stepId: string; body: BlockStepBody }
  | { type: 'close'; body: CloseWorkOrderBody }
  | { type: 'report-closure'; body: ReportClosureBody }
  | { type: 'reopen'; body: ReopenWorkOrderBody }
  | { type: 'resolve-approval'; body: { approvalId: string; outcome: 'approved' | 'rejected' | 'expired' | 'conditional'; decidedBy?: string; openConditions?: string[]; approvalVersion?: number } }
  | { type: 'record-artifact'; stageId: string; body: RecordArtifactBody }
  | { type: 'change-scope'; body: ChangeScopeBody }
  | { type: 'close-exception'; body: { exceptionId: string; resolvedBy?: string } }
  | { type: 'break-glass'; body: BreakGlassBody }
  | { type: 'stop'; body: { reason: string; ref?: string } };

export interface WorkOrderCommandRequest {
  address: WorkOrderAddress;
  command: WorkOrderCommand;
  meta: CommandMeta;
}

export interface OpenedAnswer {
  id: string;
  status: WorkOrderStatus;
  prerequisites: PrerequisiteCheck[];
  exceptions: ExceptionRef[];
}

export interface ActionAnswer extends DecisionResult {
  actionId: string;
  receiptId: string;
  /** The approval the action waits for (`wait`), or the one that must approve first (`scope_not_approved`, `gate_not_approved`). */
  approvalId?: string;
}

export interface StepAnswer {
  workOrderId: string;
  stepId: string;
  status: 'completed' | 'blocked';
  receiptId: string;
  exception?: ExceptionRef;
}

export interface StatusAnswer {
  id: string;
  status: WorkOrderStatus;
  /** Absent when the command changed nothing (an outcome already applied). */
  receiptId?: string;
  evidenceMissing?: boolean;
}

export interface GateView {
  approvalId: string;
  kind: string;
  owner: string;
  status: ApprovalStatus;
  /** Open conditions of a conditional approval. */
  openConditions: string[];
  /** What the approver names as the permitted action. */
  action: ActionScope;
}

export interface ArtifactAnswer {
  workOrderId: string;
  stageId: string;
  receiptId: string;
  /** The stage's gate approval (opened by this artifact, or the one already deciding). */
  gate: GateView;
}

export interface ScopeChangeTrackView {
  kind: string;
  approvalId: string;
  status: ApprovalStatus;
  /** `draft-only` until approved: work on the track is drafts, nothing in the added scope runs. */
  mode: 'draft-only' | 'approved';
  owner: string;
  scope: ActionScope;
  blockers: string[];
}

export interface ScopeChangeAnswer {
  scopeChangeId: string;
  workOrderId: string;
  receiptId: string;
  add: ActionScope[];
  tracks: ScopeChangeTrackView[];
}

export type WorkOrderAnswer = OpenedAnswer | ActionAnswer | StepAnswer | StatusAnswer | BreakGlassAnswer | ArtifactAnswer | ScopeChangeAnswer;

export interface Receipt {
  receiptId: string;
  kind: string;
  workOrderId: string;
  decision?: DecisionResult['decision'];
  reason?: string;
  actor: string;
  at: string;
  policy: PolicyRef;
  inputsSha256?: string;
  evidence: Evidence[];
  ledger: { position: number; hash: string };
}
