/** Work orders: commands, events and answers crossing process boundaries. */
import { ActionRequest, DecisionResult, Facts, PolicyRef } from './policy';

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
} as const;

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

/** An approval's outcome applied to the action that waited for it: approved releases it (run), anything else stops it. */
export interface ApprovalResolvedData {
  workOrderId: string;
  actionId: string;
  approvalId: string;
  outcome: 'approved' | 'rejected' | 'expired';
  decision: 'run' | 'stop';
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
  | { type: 'resolve-approval'; body: { approvalId: string; outcome: 'approved' | 'rejected' | 'expired'; decidedBy?: string } }
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
  receiptId: string;
  evidenceMissing?: boolean;
}

export type WorkOrderAnswer = OpenedAnswer | ActionAnswer | StepAnswer | StatusAnswer | BreakGlassAnswer;

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
