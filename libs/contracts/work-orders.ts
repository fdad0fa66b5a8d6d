/** Work orders: the commands the intake service runs, and what it answers. */
import type {
  BlockStepDto,
  BreakGlassDto,
  ChangeScopeDto,
  CloseWorkOrderDto,
  CompleteStepDto,
  DispatchDelegationDto,
  OpenWorkOrderDto,
  RecordArtifactDto,
  ReopenWorkOrderDto,
  ReportClosureDto,
  RequestActionDto,
  RecordActionResultDto,
} from './dto';
import { ActionRequest, ActionScope, DecisionResult, Facts, PolicyRef } from './policy';
import type { PermittedAction } from './approval.events';
import type { AppendRequest, InclusionProof, RecordedEvent } from './ledger';
import type { Written } from './rpc';
import { ApprovalStatus, Evidence, ExceptionRef, PrerequisiteCheck, WorkOrderStatus } from './work-order.events';

/** Who asks, and the id that makes a retry harmless (Idempotency-Key, CloudEvent source+id). */
export interface CommandMeta {
  commandId: string;
  actor: string;
  /** RFC 3339; the time the command takes effect. */
  now: string;
  /** Where it came from: `http` or the CloudEvent source. */
  channel: string;
  /** The W3C trace context it is handled in (with tracing on): kept in its events' metadata. */
  traceparent?: string;
}

/** An approval's outcome coming back to its work order (from the approval's stream). */
export interface ApprovalOutcomeBody {
  approvalId: string;
  outcome: 'approved' | 'rejected' | 'expired' | 'conditional';
  decidedBy?: string;
  /** `conditional`: the conditions still open. */
  openConditions?: string[];
  /** The approval stream's version the outcome reflects. */
  approvalVersion?: number;
  /** `approved`: what the owner permitted. */
  permittedAction?: PermittedAction;
}

/** A resolved exception coming back to its work order. */
export interface CloseExceptionBody {
  exceptionId: string;
  resolvedBy?: string;
}

export interface StopWorkOrderBody {
  reason: string;
  /** What stopped it, e.g. a delegation's dispatch id. */
  ref?: string;
}

/**
 * Every command on a work order. The bodies of those an integrator, operator or agent sends are the
 * DTOs of the HTTP routes (and of the CloudEvents `data`); the last three come back from other
 * aggregates' outcomes.
 */
export type WorkOrderCommand =
  | { type: 'OpenWorkOrder'; body: OpenWorkOrderDto }
  | { type: 'RequestAction'; body: RequestActionDto }
  | { type: 'RecordActionResult'; actionId: string; body: RecordActionResultDto }
  | { type: 'UseBreakGlass'; body: BreakGlassDto }
  | { type: 'CompleteStep'; stepId: string; body: CompleteStepDto }
  | { type: 'BlockStep'; stepId: string; body: BlockStepDto }
  | { type: 'RecordStageArtifact'; stageId: string; body: RecordArtifactDto }
  | { type: 'ChangeScope'; body: ChangeScopeDto }
  | { type: 'DispatchDelegation'; body: DispatchDelegationDto }
  | { type: 'CloseWorkOrder'; body: CloseWorkOrderDto }
  | { type: 'ReportClosure'; body: ReportClosureDto }
  | { type: 'ReopenWorkOrder'; body: ReopenWorkOrderDto }
  | { type: 'StopWorkOrder'; body: StopWorkOrderBody }
  | { type: 'ApplyApprovalOutcome'; body: ApprovalOutcomeBody }
  | { type: 'CloseException'; body: CloseExceptionBody };

export type WorkOrderCommandType = WorkOrderCommand['type'];

/** A work order is addressed by id, or by source + externalRef (CloudEvents). */
export interface WorkOrderAddress {
  workOrderId?: string;
  source?: string;
  externalRef?: string;
}

export interface WorkOrderCommandRequest {
  address: WorkOrderAddress;
  command: WorkOrderCommand;
  meta: CommandMeta;
}

/**
 * An approval's or an exception's events as its service decided them (`append`: its stream at the
 * version they follow), for intake to commit together with what they cause on its work order (an
 * approval's outcome, an exception's resolution): one commit, so the position of the decision or
 * the resolution covers the work order too (Subjects.intake.commitWithOutcome).
 */
export interface OutcomeCommitRequest {
  workOrderId: string;
  append: AppendRequest;
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

export interface BreakGlassAnswer {
  actionId: string;
  decision: 'run';
  reason: 'break_glass';
  receiptId: string;
  exception: ExceptionRef;
  postReview: { id: string; owner: string; dueAt: string };
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
  /** The stage's gate approval (opened by this artifact). */
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

export interface DelegationAnswer {
  dispatchId: string;
  dispatchCreatedAt: string;
  reminders: string[];
  timeoutAt: string;
}

export type WorkOrderAnswer =
  | OpenedAnswer
  | ActionAnswer
  | StepAnswer
  | StatusAnswer
  | BreakGlassAnswer
  | ArtifactAnswer
  | ScopeChangeAnswer
  | DelegationAnswer;

/** The reply of a work-order command: its answer and the ledger position of the commit that recorded it (or a later one). */
export type CommandReply<A extends WorkOrderAnswer = WorkOrderAnswer> = Written<A>;

export interface GetWorkOrderRequest {
  workOrderId: string;
  /** Route to this stage instead of the earliest whose artifact is missing. */
  stage?: string;
}

export interface WorkOrderIdRequest {
  workOrderId: string;
}

export interface ReceiptRequest {
  receiptId: string;
  /** Private evidence is included only for ops leads. */
  includePrivate?: boolean;
}

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
  /** Where the event stands in the ledger: its position, chain hash (the Merkle leaf) and its predecessor's. */
  ledger: { position: number; hash: string; prevHash: string };
  /** The recorded event itself (ops leads only): its chain hash is SHA-256(prevHash ‖ RFC 8785 JSON of it). */
  event?: RecordedEvent;
  /** An RFC 9162 inclusion proof of the event against a signed checkpoint (`npm run verify-receipt` checks it offline). */
  proof?: InclusionProof;
  /** Why there is no proof (checkpoints refused, none signed yet). */
  proofUnavailable?: string;
}

/** The compact state handoff of a work order (GET /v1/work-orders/:id); unknowns are `TBD`. */
export interface WorkOrderHandoff {
  id: string;
  status: WorkOrderStatus;
  jobType: string;
  workflow: { title: string; version: number; sha256: string };
  client: string;
  project: string;
  source: string;
  externalRef: string;
  owner: string;
  stage: string;
  nextStage: string;
  stages: Array<{
    id: string;
    artifact: { kind: string; ref: string; recordedAt: string } | null;
    gate: { kind: string; status: string; owner: string; approvalId?: string };
  }>;
  approvals: Record<string, string>;
  pendingApprovals: Array<{
    approvalId: string;
    kind: string;
    status: ApprovalStatus;
    owner: string;
    actionId?: string;
  }>;
  prerequisites: PrerequisiteCheck[];
  steps: Array<{ id: string; title: string; status: 'completed' | 'blocked' | 'pending'; evidenceRequired: string[] }>;
  openExceptions: ExceptionRef[];
  scopeChanges: Array<{
    scopeChangeId: string;
    add: ActionScope[];
    reason: string;
    requestedAt: string;
    tracks: ScopeChangeTrackView[];
  }>;
  blockers: string[];
  openQuestions: string[];
  artifacts: Array<{ stageId: string; kind: string; ref: string }>;
  nextAction: string;
  nextOwner: string;
  closure: { at: string; evidenceMissing: boolean } | null;
  reopened: number;
}

/** One decision on a work order, as those who act on it read it: what was asked, with which facts, and why. */
export interface DecisionRecord {
  /** The decision's receipt (`GET /v1/receipts/:id`). */
  receiptId: string;
  actionId: string;
  at: string;
  action: ActionRequest;
  facts: Facts;
  decision: DecisionResult['decision'];
  reason: string;
  message: string;
  rule: string | null;
  decisionOwner: string | null;
  policy: PolicyRef;
  approvalId?: string;
}

/** The public delivery page of a work order: no facts, inputs, evidence references or private evidence. */
export interface DeliveryPage {
  workOrder: string;
  title: string;
  status: WorkOrderStatus;
  workflow: string;
  decisions: Array<{
    at: string;
    action: string;
    decision: DecisionResult['decision'];
    reason: string;
    /** The decision in words: the rule's stated reason for a wait or a stop. */
    message: string;
    rule: string | null;
    decisionOwner: string | null;
    scopeChecks: { passed: number; total: number };
    policy: string;
    /** For a wait: what its owner decided (absent while nobody has). */
    outcome?: {
      status: 'approved' | 'rejected' | 'expired' | 'conditional';
      at: string;
      by?: string;
      openConditions?: number;
    };
  }>;
  steps: Array<{ id: string; title: string; status: string; evidence: Array<{ kind: string }> }>;
  stage: string;
  stages: Array<{ id: string; artifact: string | null; gate: string }>;
  blockers: string[];
  openExceptions: Array<{ code: string; owner: string; dueAt: string; stepId: string | null }>;
  /** Approvals the work order waits for, and whose they are. */
  waitingFor: Array<{ what: string; owner: string }>;
  /** Empty once the work order is closed. */
  nextMoves: string[];
  /** Null once the work order is closed. */
  whoDecidesNext: string | null;
  closure: { at: string; evidenceMissing: boolean } | null;
}
