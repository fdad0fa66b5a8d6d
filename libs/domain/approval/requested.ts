import { ApprovalDecisionRecordedData, ApprovalRequestedData } from '@workgate/contracts';

/** What an approval keeps of its request; on an approval of several approvers, each one's decision so far. */
export type Requested = ApprovalRequestedData & { decisions?: ApprovalDecisionRecordedData[] };

/** What every approval keeps of its request, whatever became of it. */
export function requestOf(s: Requested): Requested {
  const {
    approvalId,
    workOrderId,
    actionId,
    owner,
    requestedBy,
    requestedAt,
    expiresAt,
    scopeHash,
    kind,
    action,
    change,
    patternChange,
    reviewers,
    required,
    from,
    decisions,
  } = s;
  return {
    approvalId,
    ...(workOrderId ? { workOrderId } : {}),
    actionId,
    owner,
    requestedBy,
    requestedAt,
    expiresAt,
    scopeHash,
    ...(kind ? { kind } : {}),
    ...(action ? { action } : {}),
    ...(change ? { change } : {}),
    ...(patternChange ? { patternChange } : {}),
    ...(reviewers ? { reviewers } : {}),
    ...(required !== undefined ? { required } : {}),
    ...(from ? { from } : {}),
    ...(decisions ? { decisions } : {}),
  };
}
