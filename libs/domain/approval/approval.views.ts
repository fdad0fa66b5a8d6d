import { ConditionView } from '@workgate/contracts';
import type { ApprovalState } from './approval.decider';

/** A conditional approval's conditions as approvers see them (its own view and its queue's rows); none for any other status. */
export function conditionViews(state: ApprovalState): ConditionView[] | undefined {
  if (state.status !== 'conditional') return undefined;
  return state.conditions.map(({ conditionId, text, owner, dueAt, closed }) => ({
    conditionId,
    title: text,
    owner: owner ?? state.owner,
    ...(dueAt ? { dueAt } : {}),
    closed,
  }));
}

/** Whether the approval keeps its work order from closing: pending, or conditional with open conditions. */
export function approvalBlocksClosure(state: ApprovalState): boolean {
  return state.status === 'requested' || (state.status === 'conditional' && state.conditions.some((c) => !c.closed));
}
