import { DynamicModule, Module } from '@nestjs/common';
import { ServiceContext, ServiceCoreModule } from '@workgate/messaging';
import { ApprovalTimers } from './approval-timers';
import { ApprovalsController } from './approvals.controller';
import { ApprovalStarts } from './stream-starts';
import { StartReactions } from './stream-starts.reaction';
import { NotificationReactions } from './notifications.reaction';
import { STORES } from './stores';
import { WEBHOOK_PROVIDERS, WebhooksController } from './webhooks';

@Module({})
export class ApprovalsModule {
  static register(ctx: ServiceContext): DynamicModule {
    return {
      module: ApprovalsModule,
      imports: [ServiceCoreModule.forService(ctx)],
      controllers: [ApprovalsController, WebhooksController],
      providers: [
        ...STORES,
        NotificationReactions,
        ApprovalStarts,
        StartReactions,
        ApprovalTimers,
        ...WEBHOOK_PROVIDERS,
      ],
    };
  }
}
