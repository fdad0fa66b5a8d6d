import { NestFactory } from '@nestjs/core';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { SwaggerModule } from '@nestjs/swagger';
import { NatsRpcServer, ServiceContext, workgateLogger } from '@workgate/messaging';
import { API_CONTROLLERS, GatewayModule } from './gateway.module';
import { HttpMetrics } from './metrics';
import { openApiDocument } from './openapi';
import {
  configureHttpEdge,
  connectionLimits,
  Consistency,
  httpAdapter,
  Idempotency,
  isWritten,
  RequestWithPrincipal,
} from './http';

/** The HTTP edge plus its own NATS microservice (for its health subject). Listens on `port` (0: any free port). */
export async function startGateway(ctx: ServiceContext, port = ctx.config.PORT): Promise<NestFastifyApplication> {
  // bodyParser: false — the edge's own parser (1 MiB, CloudEvents media types, prototype keys refused).
  const limits = connectionLimits(ctx.config);
  const app = await NestFactory.create<NestFastifyApplication>(GatewayModule.register(ctx), httpAdapter(limits), {
    logger: workgateLogger(ctx.config.LOG_LEVEL),
    bodyParser: false,
  });
  configureHttpEdge(app, limits);
  const fastify = app.getHttpAdapter().getInstance();
  // A write's answer on its way out: kept for its Idempotency-Key, then the answer alone with its ledger position.
  const idempotency = app.get(Idempotency);
  const consistency = app.get(Consistency);
  fastify.addHook('preSerialization', (req: RequestWithPrincipal, reply, payload, done) => {
    if (!isWritten(payload)) return done(null, payload);
    void idempotency.keep(req, payload).then(() => done(null, consistency.answered(req, reply, payload)));
  });
  // Every answer, once it is on its way (a write's kept above, or a refusal): a write whose caller went away gives its key back now.
  fastify.addHook('onSend', (req: RequestWithPrincipal, _reply, payload, done) => {
    idempotency.answered(req);
    done(null, payload);
  });
  const metrics = app.get(HttpMetrics);
  fastify.addHook('onResponse', (req, reply, done) => {
    metrics.observe(req, reply);
    done();
  });
  app.connectMicroservice({ strategy: new NatsRpcServer(ctx.nc, 'gateway') }, { inheritAppConfig: true });
  // The document at /docs-json and /docs-yaml; its reader (Swagger UI) at /docs is in PagesController.
  SwaggerModule.setup('docs', app, openApiDocument(app, API_CONTROLLERS), { ui: false });
  await app.startAllMicroservices();
  await app.listen(port, ctx.config.HOST);
  return app;
}
