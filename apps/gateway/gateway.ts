import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { NatsRpcServer, ServiceContext, workgateLogger } from '@workgate/messaging';
import { GatewayModule } from './gateway.module';
import { GatewayErrorFilter, installBodyParsers, refuseUnreadableUrls, validationPipe } from './http';

/** The HTTP edge plus its own NATS microservice (for its health subject). Listens on `port` (0: any free port). */
export async function startGateway(ctx: ServiceContext, port = ctx.config.PORT): Promise<NestExpressApplication> {
  // bodyParser: false — our own parsers (1 MiB, CloudEvents media types, prototype keys refused).
  const app = await NestFactory.create<NestExpressApplication>(GatewayModule.register(ctx), { logger: workgateLogger(ctx.config.LOG_LEVEL), bodyParser: false });
  app.disable('x-powered-by');
  app.use(refuseUnreadableUrls);
  installBodyParsers(app);
  app.useGlobalPipes(validationPipe);
  // One place maps every error to {error, message, details?}; on the NATS side it passes errors on unchanged.
  app.useGlobalFilters(new GatewayErrorFilter());
  app.connectMicroservice({ strategy: new NatsRpcServer(ctx.nc, 'gateway') }, { inheritAppConfig: true });
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder().setTitle('workgate').setDescription('The control plane for delegated work').setVersion('1').addBearerAuth().build(),
  );
  SwaggerModule.setup('docs', app, document);
  await app.startAllMicroservices();
  await app.listen(port, ctx.config.HOST);
  return app;
}
