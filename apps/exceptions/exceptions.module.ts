import { DynamicModule, Module } from '@nestjs/common';
import { ServiceContext, ServiceCoreModule } from '@workgate/messaging';
import { DriftReaction } from './drift.reaction';
import { ExceptionCatalog } from './exception-catalog';
import { ExceptionsController } from './exceptions.controller';
import { ExceptionStarts, ExceptionsStore } from './exceptions.store';
import { RemediationReactions } from './remediations.reaction';
import { SlaTimers } from './sla-timers';

@Module({})
export class ExceptionsModule {
  static register(ctx: ServiceContext): DynamicModule {
    return {
      module: ExceptionsModule,
      imports: [ServiceCoreModule.forService(ctx)],
      controllers: [ExceptionsController],
      providers: [ExceptionCatalog, ExceptionsStore, ExceptionStarts, RemediationReactions, SlaTimers, DriftReaction],
    };
  }
}
