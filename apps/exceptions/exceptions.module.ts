import { DynamicModule, Module } from '@nestjs/common';
import { healthController, ServiceContext, ServiceCoreModule } from '@workgate/messaging';

@Module({})
export class ExceptionsModule {
  static register(ctx: ServiceContext): DynamicModule {
    return {
      module: ExceptionsModule,
      imports: [ServiceCoreModule.forService(ctx)],
      controllers: [healthController('exceptions')],
    };
  }
}
