import { DynamicModule, Module } from '@nestjs/common';
import { healthController, ServiceContext, ServiceCoreModule } from '@workgate/messaging';

@Module({})
export class ApprovalsModule {
  static register(ctx: ServiceContext): DynamicModule {
    return {
      module: ApprovalsModule,
      imports: [ServiceCoreModule.forService(ctx)],
      controllers: [healthController('approvals')],
    };
  }
}
