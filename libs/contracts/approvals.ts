/** Approvals over NATS: the owner's decisions on what waits for them. */

export const approvalStream = (id: string) => `approval-${id}`;

export const ApprovalEvents = {
  Requested: 'ApprovalRequested',
  Granted: 'ApprovalGranted',
  Conditioned: 'ApprovalConditioned',
  ConditionClosed: 'ApprovalConditionClosed',
  Rejected: 'ApprovalRejected',
  Expired: 'ApprovalExpired',
} as const;

export interface PermittedActionBody {
  system: string;
  operation: string;
  kind: 'read' | 'write';
  objects?: string[];
}

export interface DecideApprovalRequest {
  approvalId: string;
  by: string;
  decision: 'approve' | 'reject' | 'conditional';
  permittedAction?: PermittedActionBody;
  conditions?: string[];
  note?: string;
}

export interface CloseConditionRequest {
  approvalId: string;
  conditionId: string;
  by: string;
  evidence: { kind: string; ref: string; sha256?: string; private?: boolean; note?: string };
}

export interface ApprovalView {
  approvalId: string;
  status: 'requested' | 'conditional' | 'approved' | 'rejected' | 'expired';
  /** A rule's or a gate's kind (`commercial`, `security`, `change-order`, ...). */
  kind?: string;
  /** What the approver names as `permittedAction` to approve. */
  requestedAction?: PermittedActionBody;
  workOrderId: string;
  actionId: string;
  owner: string;
  requestedBy: string;
  requestedAt: string;
  expiresAt: string;
  decidedBy?: string;
  permittedAction?: PermittedActionBody;
  conditions?: Array<{ conditionId: string; text: string; closed: boolean }>;
}

/** Exceptions: owned, coded, with an SLA; resolved with a resolution and evidence. */
export const exceptionStream = (id: string) => `exception-${id}`;

export const ExceptionEvents = {
  Raised: 'ExceptionRaised',
  Resolved: 'ExceptionResolved',
  SlaBreached: 'SlaBreached',
  RemediationAdded: 'RemediationAdded',
  RemediationClosed: 'RemediationClosed',
} as const;

export interface ResolveExceptionRequest {
  exceptionId: string;
  by: string;
  resolution: string;
  evidence: Array<{ kind: string; ref: string; sha256?: string; private?: boolean; note?: string }>;
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
  remediations: Array<{ taskId: string; title: string; owner: string; due: string; closed: boolean }>;
}

/** A repeating exception code: a process signal with a remediation task for the code's owner. */
export const driftStream = (signalId: string) => `drift-${signalId}`;
export const DriftEvents = { Signaled: 'DriftSignaled' } as const;

export interface DriftSignaledData {
  signalId: string;
  code: string;
  count: number;
  windowStart: string;
  owner: string;
  task: { taskId: string; title: string; owner: string; due: string };
}

/** Post-reviews: the duty break-glass leaves behind. */
export const postReviewStream = (id: string) => `postreview-${id}`;

export const PostReviewEvents = {
  Created: 'PostReviewCreated',
  Overdue: 'PostReviewOverdue',
  Completed: 'PostReviewCompleted',
} as const;

export interface CompletePostReviewRequest {
  postReviewId: string;
  by: string;
  outcome: string;
  remediation: { title: string; owner: string; due: string };
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

/** What `workgate.notify.<principal>` carries. */
export interface Notification {
  kind: 'approval-requested' | 'post-review-overdue' | 'delegation-reminder' | 'delegation-timed-out';
  to: string;
  message: string;
  at: string;
  workOrderId?: string;
  ref?: string;
}

export const notifySubject = (principal: string) => `workgate.notify.${principal.replace(/[.\s*>]/g, '_')}`;

export function encodeNotification(n: Notification): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(n));
}

/** Delegations: work dispatched to an external agent's inbox under a timeout contract. */
export const delegationStream = (dispatchId: string) => `delegation-${dispatchId}`;

export const DelegationEvents = {
  Dispatched: 'DelegationDispatched',
  ReminderDue: 'DelegationReminderDue',
  Confirmed: 'DelegationConfirmed',
  TimedOut: 'DelegationTimedOut',
} as const;

export interface DispatchRequest {
  /** Chosen by the caller (derived from its Idempotency-Key), so a retry dispatches once. */
  dispatchId: string;
  workOrderId: string;
  by: string;
  recipient: string;
  command: 'delegate_task' | 'execute';
  prompt: {
    objective?: string;
    scope?: string;
    artifacts?: Array<{ path?: string; access?: string }>;
    verification?: string[];
    completion?: string;
  };
  /** ISO 8601 durations overriding the workflow's delegation contract. */
  timeouts?: { initialWait?: string; reminderEvery?: string; backoff?: number; hardTimeout?: string };
}

export interface DelegationView {
  dispatchId: string;
  dispatchCreatedAt: string;
  status: 'dispatched' | 'confirmed' | 'timed_out';
  workOrderId: string;
  recipient: string;
  owner: string;
  command: 'delegate_task' | 'execute';
  reminders: string[];
  remindersSent: number;
  timeoutAt: string;
}

/** A message in a recipient's inbox (`workgate.inbox.<recipient>`, JetStream `INBOX`). */
export interface InboxMessage {
  dispatchId: string;
  dispatchCreatedAt: string;
  command: 'delegate_task' | 'execute';
  workOrderId: string;
  from: string;
  prompt: DispatchRequest['prompt'];
}

export const inboxSubject = (recipient: string) => `workgate.inbox.${recipient.replace(/[.\s*>]/g, '_')}`;
