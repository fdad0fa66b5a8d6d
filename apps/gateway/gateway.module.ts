import { DynamicModule, MiddlewareConsumer, Module, NestModule } from '@nestjs/common';
import { APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import { healthController, ServiceContext, ServiceCoreModule } from '@workgate/messaging';
import { DomainMetrics } from './domain-metrics';
import { GatewayDatabase } from './gateway-database';
import { HealthController } from './health.controller';
import { HealthMonitor } from './health-monitor';
import { AuthGuard, Consistency, Idempotency, principalsProvider, rateLimitModule } from './http';
import { HttpMetrics, MetricsController } from './metrics';
import { DownstreamServers } from './mcp/downstream-servers';
import { McpController } from './mcp/mcp.controller';
import { ApprovalsController } from './routes/approvals.controller';
import { ConsoleController } from './routes/console.controller';
import { DashboardController } from './routes/dashboard.controller';
import { DelegationsController } from './routes/delegations.controller';
import { ExceptionsController } from './routes/exceptions.controller';
import { IntakeController } from './routes/intake.controller';
import { LedgerController, LedgerKeyController } from './routes/ledger.controller';
import { MeController } from './routes/me.controller';
import { ViewsController } from './routes/views.controller';
import { PostReviewsController } from './routes/post-reviews.controller';
import { WorkflowsController } from './routes/workflows.controller';
import { WebhooksController } from './routes/webhooks.controller';
import { WorkOrdersController } from './routes/work-orders.controller';

/** The controllers of the HTTP API (the dashboard's pages aside): the OpenAPI document describes these. */
export const API_CONTROLLERS = [HealthController, MetricsController, WorkflowsController, WorkOrdersController, IntakeController, ApprovalsController, ExceptionsController, PostReviewsController, DelegationsController, LedgerController, LedgerKeyController, ViewsController, MeController, WebhooksController];

@Module({})
export class GatewayModule implements NestModule {
  static register(ctx: ServiceContext): DynamicModule {
    const rateLimit = rateLimitModule(ctx.config.WORKGATE_RATE_LIMIT_PER_MINUTE);
    return {
      module: GatewayModule,
      imports: [ServiceCoreModule.forService(ctx), rateLimit.module],
      controllers: [...API_CONTROLLERS, healthController('gateway'), DashboardController, ConsoleController, McpController],
      providers: [
        GatewayDatabase,
        HealthMonitor,
        DomainMetrics,
        DownstreamServers,
        HttpMetrics,
        principalsProvider(ctx.config.WORKGATE_PRINCIPALS),
        // Rate limit first, so key guessing is throttled too; then authentication and roles.
        { provide: APP_GUARD, useClass: rateLimit.guard },
        { provide: APP_GUARD, useClass: AuthGuard },
        // Consistency sees every write's reply, a replayed one included (its position is the caller's last write).
        { provide: APP_INTERCEPTOR, useClass: Consistency },
        { provide: APP_INTERCEPTOR, useClass: Idempotency },
      ],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(HttpMetrics).forRoutes('*path');
  }
}
