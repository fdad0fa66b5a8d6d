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
  PostReviewIdRequest,
  PostReviewView,
  requireUuid,
  Subjects,
  Written,
} from '@workgate/contracts';
import { approvals, delegations, postReviews } from '@workgate/domain';
import { existing, handle, RpcClient, Serves, SERVICE_CONTEXT, ServiceContext } from '@workgate/messaging';
import { approvalView, ApprovalsStore, DelegationsStore, PostReviewsStore, settleWorkflowChange } from './stores';

@Controller()
export class ApprovalsController {
  constructor(
    private readonly approvals: ApprovalsStore,
    private readonly postReviews: PostReviewsStore,
    private readonly delegations: DelegationsStore,
    private readonly rpc: RpcClient,
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
    const { state, position } = await handle(
      this.approvals,
      id,
      (state, clock) =>
        approvals.decide({ type: 'DecideApproval', by, decision, permittedAction, conditions, note }, state, clock),
      { actor: by, signedIn: req.signedIn },
    );
    const settled = await settleWorkflowChange(this.rpc, state);
    return { answer: approvalView(existing(state, 'approval')), position: Math.max(position, settled) };
  }

  @Serves(Subjects.approvals.closeCondition)
  async closeCondition(@Payload() req: CloseConditionRequest): Promise<Written<ApprovalView>> {
    const id = requireUuid(req?.approvalId, 'approval');
    const { state, position } = await handle(
      this.approvals,
      id,
      (state, clock) =>
        approvals.decide(
          { type: 'CloseCondition', by: req.by, conditionId: req.conditionId, evidence: req.evidence },
          state,
          clock,
        ),
      { actor: req.by, signedIn: req.signedIn },
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
    const { state, position } = await handle(
      this.postReviews,
      id,
      (state, clock) =>
        postReviews.decide(
          { type: 'CompletePostReview', by: req.by, outcome: req.outcome, remediation: req.remediation },
          state,
          clock,
        ),
      { actor: req.by, signedIn: req.signedIn },
    );
    return { answer: existing(state, 'post-review'), position };
  }

  @Serves(Subjects.approvals.confirmDelegation)
  async confirm(@Payload() req: ConfirmDelegationRequest): Promise<Written<DelegationView>> {
    const id = requireUuid(req?.dispatchId, 'delegation');
    const { state, position } = await handle(
      this.delegations,
      id,
      (state, clock) => delegations.decide({ type: 'Confirm', by: req.by, note: req.note }, state, clock),
      { actor: req.by, signedIn: req.signedIn },
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
