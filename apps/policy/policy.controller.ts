import { Controller, Inject } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import {
  DerivedWorkflow,
  Empty,
  GetPatternRequest,
  PatternNameRequest,
  PatternSummary,
  PatternVersion,
  PublishPatternRequest,
  PublishPatternOutcome,
  PatternChangeApplied,
  PatternChangeFound,
  PatternChangeIdRequest,
  GetWorkflowRequest,
  HealthReply,
  PublishOutcome,
  PublishWorkflowRequest,
  ApprovalIdRequest,
  ChangeApplied,
  ChangeIdRequest,
  ChangeRef,
  DiffRequest,
  DraftIdRequest,
  JobTypeRequest,
  ProposeDraftRequest,
  SaveDraftRequest,
  WorkflowDiff,
  WorkflowDraft,
  WorkflowDraftSummary,
  SimulateRequest,
  SimulateResult,
  Subjects,
  WorkflowSummary,
  WorkflowVersion,
  WorkgateError,
  Written,
} from '@workgate/contracts';
import { Serves, SERVICE_CONTEXT, ServiceContext } from '@workgate/messaging';
import { PolicyService } from './policy.service';
import { WorkflowDrafts } from './workflow-drafts';

@Controller()
export class PolicyController {
  constructor(
    private readonly policy: PolicyService,
    private readonly drafts: WorkflowDrafts,
    @Inject(SERVICE_CONTEXT) private readonly ctx: ServiceContext,
  ) {}

  @Serves(Subjects.policy.publish)
  publish(@Payload() req: PublishWorkflowRequest): Promise<Written<PublishOutcome>> {
    return this.policy.publish(req);
  }

  @Serves(Subjects.policy.saveDraft)
  saveDraft(@Payload() req: SaveDraftRequest): Promise<Written<WorkflowDraft>> {
    return this.drafts.save(req);
  }

  @Serves(Subjects.policy.getDraft)
  getDraft(@Payload() req: DraftIdRequest): Promise<WorkflowDraft> {
    return this.drafts.get(req);
  }

  @Serves(Subjects.policy.listDrafts)
  listDrafts(@Payload() req: JobTypeRequest): WorkflowDraftSummary[] {
    return this.drafts.list(req);
  }

  @Serves(Subjects.policy.diff)
  diff(@Payload() req: DiffRequest): Promise<WorkflowDiff> {
    return this.drafts.diff(req);
  }

  @Serves(Subjects.policy.proposeDraft)
  proposeDraft(@Payload() req: ProposeDraftRequest): Promise<Written<PublishOutcome>> {
    return this.drafts.propose(req);
  }

  @Serves(Subjects.policy.applyChange)
  applyChange(@Payload() req: ApprovalIdRequest): Promise<Written<ChangeApplied | PatternChangeApplied>> {
    // A pattern's change (docs/patterns.md, Changing a pattern) or a workflow's, as its approval says.
    if (typeof req?.approvalId === 'string' && this.policy.patterns.isChange(req.approvalId))
      return this.policy.patterns.settle(req.approvalId);
    return this.drafts.applyChange(req);
  }

  @Serves(Subjects.policy.change)
  change(@Payload() req: ChangeIdRequest): ChangeRef {
    return this.drafts.change(req);
  }

  @Serves(Subjects.policy.get)
  get(@Payload() req: GetWorkflowRequest): WorkflowVersion {
    const found =
      req && typeof req.jobType === 'string' ? this.policy.registry.get(req.jobType, req.version) : undefined;
    if (!found) {
      const what = req?.version === undefined ? `job type "${req?.jobType}"` : `${req.jobType} version ${req.version}`;
      throw new WorkgateError(
        req?.version === undefined ? 'unknown_job_type' : 'unknown_version',
        `no workflow is published for ${what}`,
      );
    }
    return found;
  }

  @Serves(Subjects.policy.list)
  list(@Payload() _req: Empty): WorkflowSummary[] {
    return this.policy.registry.list();
  }

  @Serves(Subjects.policy.simulate)
  simulate(@Payload() req: SimulateRequest): Promise<SimulateResult> {
    return this.policy.simulate(req);
  }

  @Serves(Subjects.policy.publishPattern)
  publishPattern(@Payload() req: PublishPatternRequest): Promise<Written<PublishPatternOutcome>> {
    return this.policy.patterns.publish(req);
  }

  @Serves(Subjects.policy.getPattern)
  getPattern(@Payload() req: GetPatternRequest): PatternVersion {
    return this.policy.patterns.get(String(req?.name), req?.version);
  }

  @Serves(Subjects.policy.listPatterns)
  listPatterns(@Payload() _req: Empty): PatternSummary[] {
    return this.policy.patterns.list();
  }

  @Serves(Subjects.policy.derived)
  derived(@Payload() req: PatternNameRequest): DerivedWorkflow[] {
    return this.policy.patterns.derived(String(req?.name));
  }

  @Serves(Subjects.policy.patternChange)
  patternChange(@Payload() req: PatternChangeIdRequest): PatternChangeFound {
    return this.policy.patterns.change({ name: String(req?.name), changeId: String(req?.changeId) });
  }

  @Serves(Subjects.health('policy'))
  health(@Payload() _req: Empty): HealthReply {
    return {
      service: 'policy',
      ok: true,
      instance: this.ctx.instance,
      details: { jobTypes: this.policy.registry.size },
    };
  }
}
