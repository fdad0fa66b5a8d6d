import { DynamicModule, Module } from '@nestjs/common';
import { ServiceContext, ServiceCoreModule } from '@workgate/messaging';
import { ApprovalTimers } from './approval-timers';
import { ApprovalsController } from './approvals.controller';
import { ApprovalsService } from './approvals.service';
import { DelegationReactions, DelegationsStore } from './delegations';
import { GovernanceReactions, PostReviewsStore } from './post-reviews';
import { WaitsConsumer } from './waits.consumer';

@Module({})
export class ApprovalsModule {
  static register(ctx: ServiceContext): DynamicModule {
    return {
      module: ApprovalsModule,
      imports: [ServiceCoreModule.forService(ctx)],
      controllers: [ApprovalsController],
      providers: [ApprovalsService, PostReviewsStore, DelegationsStore, WaitsConsumer, GovernanceReactions, DelegationReactions, ApprovalTimers],
    };
  }
}
