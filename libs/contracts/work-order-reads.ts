/** Work orders: what intake answers about them (the work order, its receipts, its events as records and its delivery page). */
import { ActionRequest, ActionScope, DecisionResult, Facts, PolicyRef } from './policy';
import type { InclusionProof, RecordedEvent } from './ledger';
import { ApprovalStatus, Evidence, ExceptionRef, PrerequisiteCheck, WorkOrderStatus } from './work-order.events';
import type { ScopeChangeTrackView } from './work-orders';

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
  /** An approval outcome of several approvers: every approver whose decision counted. */
  approvers?: string[];
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
