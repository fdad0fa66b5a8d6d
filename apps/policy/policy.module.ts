import { DynamicModule, Module } from '@nestjs/common';
import { healthController, ServiceContext, ServiceCoreModule } from '@workgate/messaging';

@Module({})
export class PolicyModule {
  static register(ctx: ServiceContext): DynamicModule {
    return {
      module: PolicyModule,
      imports: [ServiceCoreModule.forService(ctx)],
      controllers: [healthController('policy')],
    };
  }
}
