import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { SwaggerModule } from '@nestjs/swagger';
import { NatsRpcServer, ServiceContext, workgateLogger } from '@workgate/messaging';
import { API_CONTROLLERS, GatewayModule } from './gateway.module';
import { openApiDocument } from './openapi';
import { answerClientErrors, GatewayErrorFilter, installBodyParsers, refuseUnreadableUrls, traceRequests, validationPipe } from './http';

/** The HTTP edge plus its own NATS microservice (for its health subject). Listens on `port` (0: any free port). */
export async function startGateway(ctx: ServiceContext, port = ctx.config.PORT): Promise<NestExpressApplication> {
  // bodyParser: false — our own parsers (1 MiB, CloudEvents media types, prototype keys refused).
  const app = await NestFactory.create<NestExpressApplication>(GatewayModule.register(ctx), { logger: workgateLogger(ctx.config.LOG_LEVEL), bodyParser: false });
  app.disable('x-powered-by');
  app.use(traceRequests);
  app.use(refuseUnreadableUrls);
  installBodyParsers(app);
  app.useGlobalPipes(validationPipe);
  // One place maps every error to {error, message, details?}; on the NATS side it passes errors on unchanged.
  app.useGlobalFilters(new GatewayErrorFilter());
  app.connectMicroservice({ strategy: new NatsRpcServer(ctx.nc, 'gateway') }, { inheritAppConfig: true });
  SwaggerModule.setup('docs', app, openApiDocument(app, API_CONTROLLERS));
  answerClientErrors(app.getHttpServer());
  // Idle keep-alive connections outlive a client's own keep-alive (undici: 4 s), so a client never
  // sends on a connection the server is closing.
  const server = app.getHttpServer();
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  await app.startAllMicroservices();
  await app.listen(port, ctx.config.HOST);
  return app;
}
