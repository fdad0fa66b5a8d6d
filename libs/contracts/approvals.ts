/** Approvals, post-reviews, delegations and exceptions over NATS: what their services answer. */
import { ApprovalStatus, Evidence } from './work-order.events';
import type { SignedIn } from './work-orders';
import { ApprovalRequestedData, DelegationCommandKind, DelegationPrompt, PermittedAction } from './approval.events';
import type {
  CloseConditionDto,
  CloseRemediationDto,
  CompletePostReviewDto,
  ConfirmDelegationDto,
  DecideApprovalDto,
  ExceptionCodeDto,
  RemediationDto,
  ResolveExceptionDto,
} from './dto';
import type { ApprovalSubject } from './approval-subject';
import type { ViewRow } from './views';
import type { WorkflowChangeRef } from './workflow-change';
import type { ChangeKind, PatternChangeRef } from './patterns';

/** Who sends a command to an approval, post-review, delegation or exception: the caller's principal. */
interface By {
  by: string;
  /** The caller's issuer and subject, when a person signed in with OpenID Connect sent it (kept in the ledger metadata). */
  signedIn?: SignedIn;
}

export type DecideApprovalRequest = DecideApprovalDto & By & { approvalId: string };
export type WithdrawApprovalRequest = By & { approvalId: string; asAdmin?: boolean };
export type CloseConditionRequest = CloseConditionDto & By & { approvalId: string; conditionId: string };
export type CompletePostReviewRequest = CompletePostReviewDto & By & { postReviewId: string };
export type ConfirmDelegationRequest = ConfirmDelegationDto & By & { dispatchId: string };
export type ResolveExceptionRequest = ResolveExceptionDto & By & { exceptionId: string };
/** `taskId` is chosen by the caller (derived from its Idempotency-Key), so a retry adds the task once. */
export type AddRemediationRequest = RemediationDto & By & { exceptionId: string; taskId: string };
export type CloseRemediationRequest = CloseRemediationDto & By & { exceptionId: string; taskId: string };
export type DefineCodeRequest = By & { code: ExceptionCodeDto };

export interface ApprovalIdRequest {
  approvalId: string;
}
export interface PostReviewIdRequest {
  postReviewId: string;
}
export interface DispatchIdRequest {
  dispatchId: string;
}
export interface ExceptionIdRequest {
  exceptionId: string;
}

export interface ApprovalQueueRequest {
  owner?: string;
  /** One status, `pending` (requested or conditional) or `all` (the default). */
  status?: string;
  limit?: number;
  /** Only the approvals after this one in the queue's order (oldest first): the next page. */
  after?: { requestedAt: string; approvalId: string };
  /** Only the approvals of this job type (a work order's, or a workflow change's), or of this pattern's changes. */
  jobType?: string;
  /** Only the approvals of workflow changes, or of pattern changes (no work order). */
  kind?: ChangeKind;
}

/** The decision that held an approval's action: its rule, its words and the policy version. */
export interface QueueDecision {
  decision: string;
  rule: string | null;
  message: string;
  policy: { jobType: string; version: number };
}

/** A row of the approval queue: the approvals view's columns, a conditional approval's conditions, a workflow change's diff. */
export type ApprovalQueueRow = {
  [column: string]:
    | ViewRow[string]
    | ConditionView[]
    | WorkflowChangeRef
    | PatternChangeRef
    | ApprovalSubject
    | PermittedAction
    | QueueDecision
    | ApproverDecisionView[]
    | string[];
};

export interface InboxRequest {
  recipient: string;
  filter?: 'delegate_task' | 'execute' | 'all';
  /** RFC 3339: messages from then on. */
  since?: string;
  /** At most this many, oldest first (default 500, at most 1000). */
  limit?: number;
}

/** An approval as its owner sees it: what was requested, and what became of it. */
export interface ApprovalView extends Omit<ApprovalRequestedData, 'scopeHash' | 'action'> {
  status: ApprovalStatus;
  /** What the approver names as `permittedAction` to approve. */
  requestedAction?: PermittedAction;
  decidedBy?: string;
  permittedAction?: PermittedAction;
  conditions?: ConditionView[];
  /** What approving decides and releases (the gateway adds it; docs/approvers.md). */
  subject?: ApprovalSubject;
  /** An approval of several approvers (`required` and `from` set): each approver's decision so far, in order. */
  approvals?: ApproverDecisionView[];
}

/** One approver's decision on an approval of several approvers (docs/approvers.md, Two-person approvals). */
export interface ApproverDecisionView {
  by: string;
  at: string;
  decision: 'approve' | 'reject' | 'conditional';
}

/** A condition of a conditional approval: closed with evidence by its owner or the approval's owner. */
export interface ConditionView {
  conditionId: string;
  title: string;
  owner: string;
  dueAt?: string;
  closed: boolean;
}

export interface ExceptionView {
  exceptionId: string;
  status: 'open' | 'resolved';
  workOrderId: string;
  stepId: string | null;
  code: string;
  owner: string;
  dueAt: string;
  slaBreached: boolean;
  /** Set at the SLA breach when the code has an escalation rule: to whom, when, and once done when it was escalated. */
  escalation: { to: string; escalatesAt: string; escalatedAt: string | null } | null;
  remediations: Array<{ taskId: string; title: string; owner: string; due: string; closed: boolean }>;
}

export interface PostReviewView {
  postReviewId: string;
  status: 'due' | 'completed';
  workOrderId: string;
  exceptionId: string;
  reviewer: string;
  dueAt: string;
  overdueNotified: boolean;
}

export interface DelegationView {
  dispatchId: string;
  dispatchCreatedAt: string;
  status: 'dispatched' | 'confirmed' | 'timed_out';
  workOrderId: string;
  recipient: string;
  owner: string;
  command: DelegationCommandKind;
  reminders: string[];
  remindersSent: number;
  timeoutAt: string;
}

/** A message in a recipient's inbox (`workgate.inbox.<recipient>`, JetStream `INBOX`). */
export interface InboxMessage {
  dispatchId: string;
  dispatchCreatedAt: string;
  command: DelegationCommandKind;
  workOrderId: string;
  from: string;
  prompt: DelegationPrompt;
}

/** What `workgate.notify.<principal>` carries. */
export interface Notification {
  kind:
    | 'approval-requested'
    | 'post-review-overdue'
    | 'delegation-reminder'
    | 'delegation-timed-out'
    | 'exception-escalated';
  to: string;
  message: string;
  at: string;
  workOrderId?: string;
  ref?: string;
}

export type { Evidence };
