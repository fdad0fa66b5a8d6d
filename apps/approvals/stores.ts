import { ApprovalView, DelegationView, PostReviewView } from '@workgate/contracts';
import { approvals, ApprovalState, delegations, DelegationState, postReviews, PostReviewState } from '@workgate/domain';
import { storeFor } from '@workgate/messaging';

/** The aggregates the approvals service decides on: approvals, post-reviews, delegations. */
export const ApprovalsStore = storeFor(approvals);
export type ApprovalsStore = InstanceType<typeof ApprovalsStore>;
export const PostReviewsStore = storeFor(postReviews);
export type PostReviewsStore = InstanceType<typeof PostReviewsStore>;
export const DelegationsStore = storeFor(delegations);
export type DelegationsStore = InstanceType<typeof DelegationsStore>;

export const STORES = [ApprovalsStore, PostReviewsStore, DelegationsStore];

export function approvalView(state: Exclude<ApprovalState, { status: 'none' }>): ApprovalView {
  const { status, approvalId, workOrderId, actionId, owner, requestedBy, requestedAt, expiresAt, kind, action } = state;
  return {
    approvalId,
    status,
    ...(kind ? { kind } : {}),
    ...(action ? { requestedAction: action } : {}),
    workOrderId,
    actionId,
    owner,
    requestedBy,
    requestedAt,
    expiresAt,
    ...('decidedBy' in state ? { decidedBy: state.decidedBy } : {}),
    ...('permittedAction' in state ? { permittedAction: state.permittedAction } : {}),
    ...(state.status === 'conditional'
      ? { conditions: state.conditions.map(({ conditionId, text, owner: by, dueAt, closed }) => ({ conditionId, title: text, owner: by ?? owner, ...(dueAt ? { dueAt } : {}), closed })) }
      : {}),
  };
}

export function postReviewView(state: Exclude<PostReviewState, { status: 'none' }>): PostReviewView {
  const { status, postReviewId, workOrderId, exceptionId, reviewer, dueAt, overdueNotified } = state;
  return { postReviewId, status, workOrderId, exceptionId, reviewer, dueAt, overdueNotified };
}

export function delegationView(state: Exclude<DelegationState, { status: 'none' }>): DelegationView {
  const { status, dispatchId, dispatchCreatedAt, workOrderId, recipient, owner, command, reminders, remindersSent, timeoutAt } = state;
  return { dispatchId, dispatchCreatedAt, status, workOrderId, recipient, owner, command, reminders, remindersSent, timeoutAt };
}
