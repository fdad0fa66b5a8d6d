import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { WorkgateError } from '@workgate/contracts';
import { BODY_LIMIT_BYTES, installBodyParser } from './body';
import { answerClientError } from './client-errors';
import { GatewayErrorFilter, toHttpError } from './error.filter';
import { installGate } from './gate';
import { refuseOnLingeringConnection } from './lingering-close';
import { RouteMethods } from './methods';
import {
  capConnectionsPerAddress,
  closeSilentConnections,
  CONNECTIONS_CHECK_MS,
  ConnectionLimits,
  DEFAULT_CONNECTION_LIMITS,
  minimumBodyRate,
} from './slow-clients';
import { traceRequests } from './tracing';
import { refuseUnreadableUrls, unreadableUrl } from './url';
import { cacheValidationRules, validationPipe } from './validation';

/** Idle keep-alive connections outlive a client's own keep-alive (undici: 4 s), so a client never sends on a connection the server is closing. */
const KEEP_ALIVE_MS = 65_000;

/**
 * The HTTP server of the gateway: Fastify under Nest. Paths match as the API has always matched
 * them (in any case, with or without a trailing slash); the body limit is 1 MiB; a request must
 * have arrived whole within `limits.requestSeconds` (its headers within `headersSeconds`, set by
 * configureHttpEdge), checked every second; requests Node refuses while parsing and URLs the
 * router cannot decode answer in the API's error body.
 */
export function httpAdapter(limits: ConnectionLimits = DEFAULT_CONNECTION_LIMITS): FastifyAdapter {
  return new FastifyAdapter({
    logger: false,
    requestIdHeader: false,
    bodyLimit: BODY_LIMIT_BYTES,
    keepAliveTimeout: KEEP_ALIVE_MS,
    requestTimeout: limits.requestSeconds * 1000,
    http: { connectionsCheckingInterval: CONNECTIONS_CHECK_MS },
    // A parameter is as long as the request line Node takes (16 KiB); the route says what it accepts.
    routerOptions: { caseSensitive: false, ignoreTrailingSlash: true, maxParamLength: 16 * 1024 },
    clientErrorHandler: answerClientError,
    frameworkErrors: answerRouterError,
    // Nest middleware is not used: the edge's steps are the hooks below, its guards and its filter.
    skipMiddie: true,
  });
}

/** A request the router refused before any hook ran (a path it cannot decode), answered as the API answers. */
function answerRouterError(error: FastifyError, req: FastifyRequest, reply: FastifyReply): void {
  const refusal =
    error.code === 'FST_ERR_BAD_URL'
      ? (unreadableUrl(req.url) ?? new WorkgateError('bad_request', 'the URL cannot be read'))
      : error;
  const { status, body } = toHttpError(refusal);
  void reply.code(status).type('application/json; charset=utf-8').send(body);
}

/**
 * The steps every request takes at the edge, before Nest's guards (Idempotency-Key replays,
 * waiting for the views), pipes and the route: the connection's limits (`limits`: at most
 * `connectionsPerAddress` open per address, a first byte and then the headers within `headersSeconds`, a body at no less
 * than `bodyMinBytesPerSecond`, nothing served on a connection lingering after a refusal), a span
 * when tracing is on, the URL's check, the gate (size from Content-Length, rate limit, API key and role, all before the body is read: the
 * app must provide PRINCIPALS and import `rateLimitModule`), and the one body parser. Errors answer
 * through GatewayErrorFilter. The app must be created with `bodyParser: false`, so that the edge's
 * parser is the only one.
 */
export function configureHttpEdge(
  app: NestFastifyApplication,
  limits: ConnectionLimits = DEFAULT_CONNECTION_LIMITS,
): void {
  const fastify = app.getHttpAdapter().getInstance();
  const server = app.getHttpServer();
  server.headersTimeout = limits.headersSeconds * 1000;
  capConnectionsPerAddress(server, limits.connectionsPerAddress);
  closeSilentConnections(server, limits.headersSeconds);
  // Set by the authentication guard; declared so every request has the same shape.
  fastify.decorateRequest('principal', undefined);
  fastify.addHook('onRequest', refuseOnLingeringConnection);
  fastify.addHook('onRequest', traceRequests);
  fastify.addHook('onRequest', refuseUnreadableUrls);
  installGate(app, limits);
  fastify.addHook('preParsing', minimumBodyRate(limits.bodyMinBytesPerSecond));
  installBodyParser(fastify);
  cacheValidationRules();
  app.useGlobalPipes(validationPipe);
  // One place maps every error to {error, message, details?}; on the NATS side it passes errors on unchanged.
  // A known path with another method answers 405 with Allow: the filter knows every route's methods.
  app.useGlobalFilters(new GatewayErrorFilter(RouteMethods.learn(fastify)));
}
