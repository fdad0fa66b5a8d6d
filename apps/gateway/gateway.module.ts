import { DynamicModule, Module, Type } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { healthController, ServiceContext, ServiceCoreModule } from '@workgate/messaging';
import { WorkgateConfig } from '@workgate/config';
import { DomainMetrics } from './domain-metrics';
import { GatewayDatabase } from './gateway-database.repository';
import { ToolCallArgumentsRepository } from './mcp/tool-call-arguments.repository';
import { ApprovalSubjects } from './routes/approval-subjects';
import { HealthController } from './health.controller';
import { HealthMonitor } from './health-monitor';
import {
  AuthGuard,
  Consistency,
  consoleSessionsProvider,
  consoleSignInProvider,
  Idempotency,
  IdempotencyAnswersRepository,
  principalsProvider,
  rateLimitModule,
  signInProvider,
} from './http';
import { HttpMetrics, MetricsController } from './metrics';
import { DownstreamServers } from './mcp/downstream-servers';
import { HeldResults } from './mcp/held-results';
import { McpController } from './mcp/mcp.controller';
import { ApprovalsController } from './routes/approvals.controller';
import { DelegationsController } from './routes/delegations.controller';
import { ExceptionsController } from './routes/exceptions.controller';
import { FrontDoorController } from './routes/front-door.controller';
import { IntakeController } from './routes/intake.controller';
import { LedgerController, LedgerKeyController } from './routes/ledger.controller';
import { MeController } from './routes/me.controller';
import { PagesController } from './routes/pages.controller';
import { PatternChangesController } from './routes/pattern-changes.controller';
import { PatternsController } from './routes/patterns.controller';
import { PrincipalSessionsController } from './routes/principal-sessions.controller';
import { NoSignInController, SignInController } from './routes/sign-in.controller';
import { ViewsController } from './routes/views.controller';
import { PostReviewsController } from './routes/post-reviews.controller';
import { WorkflowDraftsController } from './routes/workflow-drafts.controller';
import { WorkflowChangesController } from './routes/workflow-changes.controller';
import { WorkflowsController } from './routes/workflows.controller';
import { WorkflowReviewController } from './routes/workflow-review.controller';
import { WebhooksController } from './routes/webhooks.controller';
import { WorkOrdersController } from './routes/work-orders.controller';

/** The controllers of the HTTP API (the browser pages aside): the OpenAPI document describes these. */
export const API_CONTROLLERS = [
  HealthController,
  MetricsController,
  WorkflowsController,
  WorkflowDraftsController,
  WorkflowChangesController,
  WorkflowReviewController,
  PatternsController,
  PatternChangesController,
  WorkOrdersController,
  IntakeController,
  ApprovalsController,
  ExceptionsController,
  PostReviewsController,
  DelegationsController,
  LedgerController,
  LedgerKeyController,
  ViewsController,
  MeController,
  PrincipalSessionsController,
  WebhooksController,
];

/** Every controller the gateway serves: the HTTP API's, the browser pages', MCP's and sign-in's. */
export function gatewayControllers(config: Pick<WorkgateConfig, 'WORKGATE_OIDC_ISSUER'>): Type[] {
  return [
    ...API_CONTROLLERS,
    healthController('gateway'),
    PagesController,
    McpController,
    FrontDoorController,
    // The console's OpenID Connect sign-in, only where an issuer is configured (docs/sign-in.md, The console).
    config.WORKGATE_OIDC_ISSUER ? SignInController : NoSignInController,
  ];
}

@Module({})
export class GatewayModule {
  static register(ctx: ServiceContext): DynamicModule {
    const rateLimit = rateLimitModule(
      ctx.config.WORKGATE_RATE_LIMIT_PER_MINUTE,
      ctx.config.WORKGATE_ANONYMOUS_BYTES_PER_MINUTE,
    );
    return {
      module: GatewayModule,
      imports: [ServiceCoreModule.forService(ctx), rateLimit],
      controllers: gatewayControllers(ctx.config),
      providers: [
        GatewayDatabase,
        HealthMonitor,
        DomainMetrics,
        DownstreamServers,
        HeldResults,
        ToolCallArgumentsRepository,
        ApprovalSubjects,
        HttpMetrics,
        principalsProvider(ctx.config.WORKGATE_PRINCIPALS),
        consoleSessionsProvider(ctx.config),
        signInProvider(ctx.config),
        consoleSignInProvider,
        Consistency,
        IdempotencyAnswersRepository,
        Idempotency,
        // The rate limit, authentication and roles are decided before the body is read, by the
        // edge's gate (configureHttpEdge); the AuthGuard holds the same line for any route the gate
        // does not know. Then a write sent again with its Idempotency-Key answers what it answered;
        // reads of the views wait for the caller's last write. (Answers of writes go out through the hook in gateway.ts.)
        { provide: APP_GUARD, useClass: AuthGuard },
        { provide: APP_GUARD, useExisting: Idempotency },
        { provide: APP_GUARD, useExisting: Consistency },
      ],
    };
  }
}
