import { Controller, Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import {
  ApprovalView,
  CloseConditionRequest,
  CompletePostReviewRequest,
  DecideApprovalRequest,
  DelegationView,
  DispatchRequest,
  HealthReply,
  InboxMessage,
  PostReviewView,
  requireUuid,
  Subjects,
  WorkgateError,
} from '@workgate/contracts';
import { NatsConnection } from 'nats';
import { NATS_CONNECTION, SERVICE_CONTEXT, ServiceContext } from '@workgate/messaging';
import { DelegationsStore, delegationView, readInbox } from './delegations';
import { approvalView, ApprovalsService } from './approvals.service';
import { PostReviewsStore, postReviewView } from './post-reviews';

@Controller()
export class ApprovalsController {
  constructor(
    private readonly approvals: ApprovalsService,
    private readonly postReviews: PostReviewsStore,
    private readonly delegations: DelegationsStore,
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(SERVICE_CONTEXT) private readonly ctx: ServiceContext,
  ) {}

  @MessagePattern(Subjects.approvals.get)
  async get(@Payload() req: { approvalId: string }): Promise<ApprovalView> {
    return approvalView((await this.approvals.load(requireUuid(req?.approvalId, 'approval'))).state);
  }

  @MessagePattern(Subjects.approvals.decide)
  async decide(@Payload() req: DecideApprovalRequest): Promise<ApprovalView> {
    const id = requireUuid(req?.approvalId, 'approval');
    const state = await this.approvals.execute(
      id,
      { type: 'DecideApproval', by: req.by, decision: req.decision, permittedAction: req.permittedAction, conditions: req.conditions, note: req.note },
      req.by,
    );
    return approvalView(state);
  }

  @MessagePattern(Subjects.approvals.closeCondition)
  async closeCondition(@Payload() req: CloseConditionRequest): Promise<ApprovalView> {
    const id = requireUuid(req?.approvalId, 'approval');
    return approvalView(await this.approvals.execute(id, { type: 'CloseCondition', by: req.by, conditionId: req.conditionId, evidence: req.evidence }, req.by));
  }

  @MessagePattern(Subjects.approvals.getPostReview)
  async getPostReview(@Payload() req: { postReviewId: string }): Promise<PostReviewView> {
    return postReviewView((await this.postReviews.load(requireUuid(req?.postReviewId, 'post-review'))).state);
  }

  @MessagePattern(Subjects.approvals.completePostReview)
  async completePostReview(@Payload() req: CompletePostReviewRequest): Promise<PostReviewView> {
    const id = requireUuid(req?.postReviewId, 'post-review');
    return postReviewView(await this.postReviews.execute(id, { type: 'CompletePostReview', by: req.by, outcome: req.outcome, remediation: req.remediation }, req.by));
  }

  @MessagePattern(Subjects.approvals.dispatch)
  dispatch(@Payload() req: DispatchRequest): Promise<DelegationView> {
    return this.delegations.dispatch({ ...req, dispatchId: requireUuid(req?.dispatchId, 'delegation') });
  }

  @MessagePattern(Subjects.approvals.confirmDelegation)
  async confirm(@Payload() req: { dispatchId: string; by: string; note?: string }): Promise<DelegationView> {
    const id = requireUuid(req?.dispatchId, 'delegation');
    return delegationView(await this.delegations.execute(id, { type: 'Confirm', by: req.by, note: req.note }, req.by));
  }

  @MessagePattern(Subjects.approvals.getDelegation)
  async getDelegation(@Payload() req: { dispatchId: string }): Promise<DelegationView> {
    return delegationView((await this.delegations.load(requireUuid(req?.dispatchId, 'delegation'))).state);
  }

  @MessagePattern(Subjects.approvals.inbox)
  inbox(@Payload() req: { recipient: string; filter?: 'delegate_task' | 'execute' | 'all'; since?: string }): Promise<InboxMessage[]> {
    if (typeof req?.recipient !== 'string' || !req.recipient) throw new WorkgateError('validation_failed', 'recipient is required');
    return readInbox(this.nc, req.recipient, req.filter ?? 'all', req.since);
  }

  @MessagePattern(Subjects.health('approvals'))
  health(): HealthReply {
    return { service: 'approvals', ok: true, instance: this.ctx.instance };
  }
}
