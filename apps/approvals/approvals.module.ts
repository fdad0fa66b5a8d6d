import { DynamicModule, Module } from '@nestjs/common';
import { ServiceContext, ServiceCoreModule } from '@workgate/messaging';
import { ApprovalTimers } from './approval-timers';
import { ApprovalsController } from './approvals.controller';
import { DelegationReactions } from './delegations.reaction';
import { EarlierVersionReactions } from './earlier-version.reaction';
import { NotificationReactions } from './notifications.reaction';
import { STORES } from './stores';

@Module({})
export class ApprovalsModule {
  static register(ctx: ServiceContext): DynamicModule {
    return {
      module: ApprovalsModule,
      imports: [ServiceCoreModule.forService(ctx)],
      controllers: [ApprovalsController],
      providers: [...STORES, NotificationReactions, DelegationReactions, EarlierVersionReactions, ApprovalTimers],
    };
  }
}
