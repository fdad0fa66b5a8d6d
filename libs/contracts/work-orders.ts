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
import { ActionScope, DecisionResult } from './policy';
import type { PermittedAction } from './approval.events';
import type { AppendRequest } from './ledger';
import type { Written } from './rpc';
import { ApprovalStatus, ExceptionRef, PrerequisiteCheck, WorkOrderStatus } from './work-order.events';

/** Who asks, and the id that makes a retry harmless (Idempotency-Key, CloudEvent source+id). */
/** Who signed the actor in (OpenID Connect, docs/sign-in.md, What the ledger records): recorded in the ledger metadata as `issuer` and `subject`. */
export interface SignedIn {
  issuer: string;
  subject: string;
}

export interface CommandMeta {
  commandId: string;
  actor: string;
  /** The actor's issuer and subject, when a person signed in with OpenID Connect sent it. */
  signedIn?: SignedIn;
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
  /** `approved` by several approvers: every one whose decision counted. */
  approvers?: string[];
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
