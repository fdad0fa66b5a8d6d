import { DynamicModule, Module } from '@nestjs/common';
import { healthController, ServiceContext, ServiceCoreModule } from '@workgate/messaging';
import { ExceptionCatalog } from './exception-catalog';
import { ExceptionsController } from './exceptions.controller';

@Module({})
export class ExceptionsModule {
  static register(ctx: ServiceContext): DynamicModule {
    return {
      module: ExceptionsModule,
      imports: [ServiceCoreModule.forService(ctx)],
      controllers: [ExceptionsController, healthController('exceptions')],
      providers: [ExceptionCatalog],
    };
  }
}
