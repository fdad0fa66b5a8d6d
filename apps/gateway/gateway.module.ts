import { DynamicModule, MiddlewareConsumer, Module, NestModule } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { healthController, ServiceContext, ServiceCoreModule } from '@workgate/messaging';
import { GatewayDatabase } from './gateway-database';
import { HealthController } from './health.controller';
import { HttpMetrics, MetricsController } from './metrics';

@Module({})
export class GatewayModule implements NestModule {
  static register(ctx: ServiceContext): DynamicModule {
    return {
      module: GatewayModule,
      imports: [ServiceCoreModule.forService(ctx), TerminusModule.forRoot({ logger: false })],
      controllers: [HealthController, MetricsController, healthController('gateway')],
      providers: [GatewayDatabase, HttpMetrics],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(HttpMetrics).forRoutes('*path');
  }
}
