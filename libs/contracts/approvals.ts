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
}
