import { Controller, Inject } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import {
  ApprovalIdRequest,
  ApprovalView,
  CloseConditionRequest,
  CompletePostReviewRequest,
  ConfirmDelegationRequest,
  DecideApprovalRequest,
  DelegationView,
  DispatchIdRequest,
  Empty,
  HealthReply,
  OpenChangeApprovalRequest,
  OpenPatternChangeApprovalRequest,
  PATTERN_CHANGE,
  PatternChangeRef,
  PostReviewIdRequest,
  PostReviewView,
  requireUuid,
  StartedStreams,
  StartStreamsRequest,
  Subjects,
  WithdrawApprovalRequest,
  WorkflowChangeRef,
  Written,
} from '@workgate/contracts';
import { existing, RecordedBy, Serves, SERVICE_CONTEXT, ServiceContext } from '@workgate/messaging';
import { approvalView, ApprovalsStore, DelegationsStore, PostReviewsStore } from './stores';
import { ApprovalStarts } from './stream-starts';

/** Who made a request, as its events record it. */
const recordedBy = (req: { by: string; signedIn?: RecordedBy['signedIn'] }): RecordedBy => ({
  actor: req.by,
  signedIn: req.signedIn,
});

@Controller()
export class ApprovalsController {
  constructor(
    private readonly approvals: ApprovalsStore,
    private readonly postReviews: PostReviewsStore,
    private readonly delegations: DelegationsStore,
    private readonly starts: ApprovalStarts,
    @Inject(SERVICE_CONTEXT) private readonly ctx: ServiceContext,
  ) {}

  @Serves(Subjects.approvals.get)
  async get(@Payload() req: ApprovalIdRequest): Promise<ApprovalView> {
    return approvalView(await this.approvals.existing(requireUuid(req?.approvalId, 'approval'), 'approval'));
  }

  @Serves(Subjects.approvals.decide)
  async decide(@Payload() req: DecideApprovalRequest): Promise<Written<ApprovalView>> {
    const id = requireUuid(req?.approvalId, 'approval');
    const { by, decision, permittedAction, conditions, note } = req;
    const { state, position } = await this.approvals.execute(
      id,
      { type: 'DecideApproval', by, decision, permittedAction, conditions, note },
      recordedBy(req),
    );
    return { answer: approvalView(existing(state, 'approval')), position };
  }

  /**
   * Opens the approval of a workflow change the policy service recorded (docs/policy.md, Changing a
   * workflow): this service alone writes approval streams. Asked again (a retry, the policy
   * service's reaction to its own event), the approval as it stands is answered and nothing is written.
   */
  @Serves(Subjects.approvals.openChange)
  async openChange(
    @Payload() req: OpenChangeApprovalRequest | OpenPatternChangeApprovalRequest,
  ): Promise<Written<ApprovalView>> {
    const id = requireUuid(req?.approvalId, 'approval');
    const { owner, proposedBy, reviewers, expiresAt, proposedAt } = req;
    const asked = { approvalId: id, owner, requestedBy: proposedBy, ...(reviewers ? { reviewers } : {}), expiresAt };
    const { state, position } = await this.approvals.execute(
      id,
      isPatternChange(req)
        ? { type: 'RequestPatternChange', ...asked, patternChange: patternChangeRef(req) }
        : { type: 'RequestWorkflowChange', ...asked, change: workflowChangeRef(req) },
      { actor: proposedBy, now: proposedAt },
    );
    return { answer: approvalView(existing(state, 'approval')), position };
  }

  /**
   * Starts the approvals, post-reviews and delegations of work-order events intake committed
   * (docs/ledger.md, Who writes which stream): this service alone writes them. Asked again, or
   * after its reaction started them, they are answered as started and nothing is written.
   */
  @Serves(Subjects.approvals.start)
  start(@Payload() req: StartStreamsRequest): Promise<StartedStreams> {
    return this.starts.start(req);
  }

  /** Takes back a workflow change nobody decided yet; the policy service then closes the change. */
  @Serves(Subjects.approvals.withdraw)
  async withdraw(@Payload() req: WithdrawApprovalRequest): Promise<Written<ApprovalView>> {
    const id = requireUuid(req?.approvalId, 'approval');
    const { state, position } = await this.approvals.execute(
      id,
      { type: 'WithdrawApproval', by: req.by, asAdmin: req.asAdmin === true },
      recordedBy(req),
    );
    return { answer: approvalView(existing(state, 'approval')), position };
  }

  @Serves(Subjects.approvals.closeCondition)
  async closeCondition(@Payload() req: CloseConditionRequest): Promise<Written<ApprovalView>> {
    const id = requireUuid(req?.approvalId, 'approval');
    const { by, conditionId, evidence } = req;
    const { state, position } = await this.approvals.execute(
      id,
      { type: 'CloseCondition', by, conditionId, evidence },
      recordedBy(req),
    );
    return { answer: approvalView(existing(state, 'approval')), position };
  }

  @Serves(Subjects.approvals.getPostReview)
  async getPostReview(@Payload() req: PostReviewIdRequest): Promise<PostReviewView> {
    return this.postReviews.existing(requireUuid(req?.postReviewId, 'post-review'), 'post-review');
  }

  @Serves(Subjects.approvals.completePostReview)
  async completePostReview(@Payload() req: CompletePostReviewRequest): Promise<Written<PostReviewView>> {
    const id = requireUuid(req?.postReviewId, 'post-review');
    const { by, outcome, remediation } = req;
    const { state, position } = await this.postReviews.execute(
      id,
      { type: 'CompletePostReview', by, outcome, remediation },
      recordedBy(req),
    );
    return { answer: existing(state, 'post-review'), position };
  }

  @Serves(Subjects.approvals.confirmDelegation)
  async confirm(@Payload() req: ConfirmDelegationRequest): Promise<Written<DelegationView>> {
    const id = requireUuid(req?.dispatchId, 'delegation');
    const { state, position } = await this.delegations.execute(
      id,
      { type: 'Confirm', by: req.by, note: req.note },
      recordedBy(req),
    );
    return { answer: existing(state, 'delegation'), position };
  }

  @Serves(Subjects.approvals.getDelegation)
  async getDelegation(@Payload() req: DispatchIdRequest): Promise<DelegationView> {
    return this.delegations.existing(requireUuid(req?.dispatchId, 'delegation'), 'delegation');
  }

  @Serves(Subjects.health('approvals'))
  health(@Payload() _req: Empty): HealthReply {
    return { service: 'approvals', ok: true, instance: this.ctx.instance };
  }
}

const isPatternChange = (
  req: OpenChangeApprovalRequest | OpenPatternChangeApprovalRequest,
): req is OpenPatternChangeApprovalRequest => 'kind' in req && req.kind === PATTERN_CHANGE;

/** What a workflow-change approval is about, of the policy service's request. */
function workflowChangeRef(req: OpenChangeApprovalRequest): WorkflowChangeRef {
  const { changeId, jobType, fromVersion, version, sha256, changes, draftId } = req;
  return { changeId, jobType, fromVersion, version, sha256, changes, ...(draftId ? { draftId } : {}) };
}

/** What a pattern-change approval is about (docs/patterns.md, Changing a pattern). */
function patternChangeRef(req: OpenPatternChangeApprovalRequest): PatternChangeRef {
  const { changeId, name, fromVersion, version, sha256, changes } = req;
  return { changeId, name, fromVersion, version, sha256, changes };
}
