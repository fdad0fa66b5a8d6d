import { DynamicModule, Module } from '@nestjs/common';
import { healthController, ServiceContext, ServiceCoreModule } from '@workgate/messaging';

@Module({})
export class IntakeModule {
  static register(ctx: ServiceContext): DynamicModule {
    return {
      module: IntakeModule,
      imports: [ServiceCoreModule.forService(ctx)],
      controllers: [healthController('intake')],
    };
  }
}
