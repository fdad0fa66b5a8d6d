import { WorkflowDefinition } from '@workgate/contracts';

/**
 * Who decides a widening change the workflow's owner proposes (docs/policy.md, Changing a workflow):
 * the version in force's `changeReviewers`, or else every principal with both the admin and the
 * approver role (`adminApprovers`); never the proposer. Empty: nobody could decide it. Pure.
 */
export function changeReviewers(
  current: Pick<WorkflowDefinition, 'changeReviewers'>,
  proposer: string,
  adminApprovers: readonly string[],
): string[] {
  const named = current.changeReviewers ?? adminApprovers;
  return [...new Set(named)].filter((id) => id !== proposer).sort();
}
