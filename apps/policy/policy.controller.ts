import { Controller, Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import {
  DecideRequest,
  DecisionResult,
  GetWorkflowRequest,
  HealthReply,
  PublishWorkflowRequest,
  PublishWorkflowResult,
  SimulateRequest,
  SimulateResult,
  Subjects,
  WorkflowSummary,
  WorkflowVersion,
  WorkgateError,
} from '@workgate/contracts';
import { BatchReply, BatchRequest, SERVICE_CONTEXT, ServiceContext, serveBatch } from '@workgate/messaging';
import { PolicyService } from './policy.service';

@Controller()
export class PolicyController {
  constructor(
    private readonly policy: PolicyService,
    @Inject(SERVICE_CONTEXT) private readonly ctx: ServiceContext,
  ) {}

  @MessagePattern(Subjects.policy.publish)
  publish(@Payload() req: PublishWorkflowRequest): Promise<PublishWorkflowResult> {
    return this.policy.publish(req);
  }

  @MessagePattern(Subjects.policy.get)
  get(@Payload() req: GetWorkflowRequest): WorkflowVersion {
    const found = req && typeof req.jobType === 'string' ? this.policy.registry.get(req.jobType, req.version) : undefined;
    if (!found) {
      const what = req?.version === undefined ? `job type "${req?.jobType}"` : `${req.jobType} version ${req.version}`;
      throw new WorkgateError(req?.version === undefined ? 'unknown_job_type' : 'unknown_version', `no workflow is published for ${what}`);
    }
    return found;
  }

  @MessagePattern(Subjects.policy.list)
  list(): WorkflowSummary[] {
    return this.policy.registry.list();
  }

  @MessagePattern(Subjects.policy.decide)
  decide(@Payload() req: DecideRequest): DecisionResult {
    return this.policy.decide(req);
  }

  @MessagePattern(Subjects.policy.decideBatch)
  decideBatch(@Payload() req: BatchRequest<DecideRequest>): Promise<BatchReply<DecisionResult>> {
    return serveBatch(req, (item) => this.policy.decide(item));
  }

  @MessagePattern(Subjects.policy.simulate)
  simulate(@Payload() req: SimulateRequest): Promise<SimulateResult> {
    return this.policy.simulate(req);
  }

  @MessagePattern(Subjects.health('policy'))
  health(): HealthReply {
    return { service: 'policy', ok: true, instance: this.ctx.instance, details: { jobTypes: this.policy.registry.size } };
  }
}
