import { DynamicModule, Module } from '@nestjs/common';
import { ServiceContext, ServiceCoreModule } from '@workgate/messaging';
import { PolicyController } from './policy.controller';
import { PolicyService } from './policy.service';

@Module({})
export class PolicyModule {
  static register(ctx: ServiceContext): DynamicModule {
    return {
      module: PolicyModule,
      imports: [ServiceCoreModule.forService(ctx)],
      controllers: [PolicyController],
      providers: [PolicyService],
    };
  }
}
