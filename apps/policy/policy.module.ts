import { DynamicModule, Module } from '@nestjs/common';
import { ServiceContext, ServiceCoreModule } from '@workgate/messaging';
import { ChangeProcess } from './change-process';
import { PatternFollowers } from './pattern-followers';
import { PolicyController } from './policy.controller';
import { PolicyService } from './policy.service';
import { WorkflowDrafts } from './workflow-drafts';

@Module({})
export class PolicyModule {
  static register(ctx: ServiceContext): DynamicModule {
    return {
      module: PolicyModule,
      imports: [ServiceCoreModule.forService(ctx)],
      controllers: [PolicyController],
      providers: [PolicyService, WorkflowDrafts, ChangeProcess, PatternFollowers],
    };
  }
}
