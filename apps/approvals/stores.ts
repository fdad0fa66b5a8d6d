import { ApprovalView } from '@workgate/contracts';
import {
  approvals,
  ApprovalState,
  conditionViews,
  delegations,
  postReviews,
  workOrderChangedBy,
} from '@workgate/domain';
import { storeFor } from '@workgate/messaging';

/**
 * Approvals. A decision changes its work order too (the outcome releases or stops the waiting
 * action, lists open conditions): intake, which decides the work order, commits the approval's
 * events with that outcome in one commit, so the decision's position covers both.
 */
export const ApprovalsStore = storeFor(approvals, workOrderChangedBy);
export type ApprovalsStore = InstanceType<typeof ApprovalsStore>;

/** The other aggregates the approvals service decides on: post-reviews, delegations. */
export const PostReviewsStore = storeFor(postReviews);
export type PostReviewsStore = InstanceType<typeof PostReviewsStore>;
export const DelegationsStore = storeFor(delegations);
export type DelegationsStore = InstanceType<typeof DelegationsStore>;

export const STORES = [ApprovalsStore, PostReviewsStore, DelegationsStore];

export function approvalView(state: Exclude<ApprovalState, { status: 'none' }>): ApprovalView {
  const {
    status,
    approvalId,
    workOrderId,
    actionId,
    owner,
    requestedBy,
    requestedAt,
    expiresAt,
    kind,
    action,
    change,
    patternChange,
    reviewers,
    required,
    from,
    decisions,
  } = state;
  return {
    approvalId,
    status,
    ...(kind ? { kind } : {}),
    ...(action ? { requestedAction: action } : {}),
    ...(workOrderId ? { workOrderId } : {}),
    actionId,
    owner,
    requestedBy,
    requestedAt,
    expiresAt,
    ...('decidedBy' in state ? { decidedBy: state.decidedBy } : {}),
    ...('permittedAction' in state ? { permittedAction: state.permittedAction } : {}),
    ...(state.status === 'conditional' ? { conditions: conditionViews(state) } : {}),
    ...(change ? { change } : {}),
    ...(patternChange ? { patternChange } : {}),
    ...(reviewers ? { reviewers } : {}),
    // An approval of several approvers: who may, how many must, and each one's decision so far.
    ...(required !== undefined
      ? { required, from, approvals: (decisions ?? []).map(({ by, at, decision }) => ({ by, at, decision })) }
      : {}),
  };
}
