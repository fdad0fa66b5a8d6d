import { applyDecorators, Controller, Get, HttpCode, Inject, Logger, Param, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import {
  ApprovalQueueRow,
  ApprovalView,
  ChangeApplied,
  ChangeDeciders,
  ChangeKind,
  Subjects,
  WORKFLOW_CHANGE,
  WorkgateError,
  Written,
} from '@workgate/contracts';
import { RpcClient } from '@workgate/messaging';
import { changeReviewers } from '@workgate/workflow';
import { Documented, ref } from '../openapi';
import { CurrentPrincipal, Principal, PrincipalDirectory, PRINCIPALS, ReadsViews, Roles } from '../http';
import { byOf } from './command';

/**
 * Who may decide a change: the principals of the file with both the admin and the approver role
 * review a change its workflow's owner proposes, unless the workflow names `changeReviewers`
 * (docs/policy.md, Changing a workflow). Named when the change is proposed, and recorded with it.
 */
export const adminApprovers = (directory: PrincipalDirectory): string[] => directory.withRoles('admin', 'approver');

/**
 * A decided, withdrawn or expired workflow-change (or pattern-change) approval, with its change settled: the policy
 * service, which reacts to the decision in the ledger anyway, is asked to publish or close the
 * change at once, so the answer's position covers that commit too (docs/api.md, Conventions (read
 * your writes)). Should it not answer, the decision stands and its reaction settles the change.
 */
export async function withChangeSettled(
  rpc: RpcClient,
  written: Written<ApprovalView>,
): Promise<Written<ApprovalView>> {
  const { answer, position } = written;
  if ((!answer.change && !answer.patternChange) || answer.status === 'requested') return written;
  try {
    const settled = await rpc.request(Subjects.policy.applyChange, { approvalId: answer.approvalId });
    return { answer, position: Math.max(position, settled.position) };
  } catch (error) {
    new Logger('gateway').warn(`change of approval ${answer.approvalId} not settled yet: ${(error as Error).message}`);
    return written;
  }
}

/**
 * Withdraws the change waiting for approval `approvalId` as `p` (an admin may withdraw anyone's), its
 * change settled: 409 `approval_decided` once decided, expired or withdrawn (`what` names the change).
 */
export async function withdrawChange(rpc: RpcClient, approvalId: string, p: Principal, what: string): Promise<number> {
  const withdrawn = await rpc.request(Subjects.approvals.withdraw, {
    approvalId,
    ...byOf(p),
    asAdmin: p.roles.includes('admin'),
  });
  const { answer, position } = await withChangeSettled(rpc, withdrawn);
  if (answer.status !== 'withdrawn') throw new WorkgateError('approval_decided', `${what} is already ${answer.status}`);
  return position;
}

/** `GET …/changes`: the changes of a job type or a pattern nobody decided yet, as rows of the queue. */
const PendingChanges = (summary: string, description: string) =>
  applyDecorators(
    Get('changes'),
    Roles('admin', 'analyst', 'approver'),
    ReadsViews(),
    Documented(summary, { type: 'array', items: ref('ApprovalQueueRow') }, description),
  );

/** The changes of `kind` to `jobType` (a job type or a pattern) nobody decided yet, oldest first (at most 100). */
export const pendingChanges = (rpc: RpcClient, kind: ChangeKind, jobType: string): Promise<ApprovalQueueRow[]> =>
  rpc.request(Subjects.ledger.listApprovals, { jobType, kind, status: 'pending', limit: 100 });

/** `POST …/changes/:changeId/withdraw`: the proposer, or any admin, takes back a change. */
const WithdrawsChange = (summary: string, answer: string, description: string) =>
  applyDecorators(
    Post('changes/:changeId/withdraw'),
    Roles('admin', 'approver'),
    HttpCode(200),
    Documented(summary, answer, description),
  );

/** The routes of a workflow's or a pattern's changes: the list of those that wait, and a withdrawal. */
export const ChangeRoutes = { PendingChanges, WithdrawsChange };

/** A proposed change of a workflow: who will decide it, and its withdrawal. */
@ApiTags('workflows')
@Controller('v1/workflows/:jobType')
export class WorkflowChangesController {
  constructor(
    private readonly rpc: RpcClient,
    @Inject(PRINCIPALS) private readonly principals: PrincipalDirectory,
  ) {}

  @Get('change-deciders')
  @Roles('admin', 'analyst', 'approver')
  @Documented(
    'Who decides a widening change',
    'ChangeDeciders',
    "The owner of the version in force decides a widening change; when that owner proposes it, the `reviewers` decide it instead (the workflow's `changeReviewers`, or every other admin with the approver role). Empty `reviewers`: such a change is refused (409 `no_reviewers`).",
  )
  async deciders(@Param('jobType') jobType: string): Promise<ChangeDeciders> {
    const { definition } = await this.rpc.request(Subjects.policy.get, { jobType });
    const { owner } = definition;
    return { jobType, owner, reviewers: changeReviewers(definition, owner, adminApprovers(this.principals)) };
  }

  @PendingChanges(
    'Pending changes of a workflow',
    "The job type's proposed changes nobody decided yet, oldest first (at most 100), each as its approval's row in the queue: `requestedBy` (who proposed it, who may withdraw it), `owner`, `expiresAt` and the `change` (`changeId`, `fromVersion`, `version`, the diff).",
  )
  pending(@Param('jobType') jobType: string): Promise<ApprovalQueueRow[]> {
    return pendingChanges(this.rpc, WORKFLOW_CHANGE, jobType);
  }

  @WithdrawsChange(
    'Withdraw a proposed change',
    'ChangeApplied',
    'The proposer, or any admin, takes back a change nobody decided yet: its approval is closed (`withdrawn`) and leaves the queue, and the version in force stays. 409 `approval_decided` once decided, expired or withdrawn; 404 for a change the job type never had; 403 `not_requester` for anyone else.',
  )
  async withdraw(
    @Param('jobType') jobType: string,
    @Param('changeId') changeId: string,
    @CurrentPrincipal() p: Principal,
  ): Promise<Written<ChangeApplied>> {
    const change = await this.rpc.request(Subjects.policy.change, { jobType, changeId });
    const position = await withdrawChange(this.rpc, change.approvalId, p, `change ${changeId}`);
    return { answer: { changeId, jobType, version: change.version, status: 'withdrawn' }, position };
  }
}
