import { Controller, Inject } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import {
  Empty,
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
  Written,
} from '@workgate/contracts';
import { Serves, SERVICE_CONTEXT, ServiceContext } from '@workgate/messaging';
import { PolicyService } from './policy.service';

@Controller()
export class PolicyController {
  constructor(
    private readonly policy: PolicyService,
    @Inject(SERVICE_CONTEXT) private readonly ctx: ServiceContext,
  ) {}

  @Serves(Subjects.policy.publish)
  publish(@Payload() req: PublishWorkflowRequest): Promise<Written<PublishWorkflowResult>> {
    return this.policy.publish(req);
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
