import { PATH_METADATA } from '@nestjs/common/constants';
import { ModulesContainer } from '@nestjs/core';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { FASTIFY_ROUTE_CONFIG_METADATA } from '@nestjs/platform-fastify/constants';
import type { FastifyContextConfig, FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import { WorkgateError } from '@workgate/contracts';
import { accessRefusal, principalOf, PRINCIPALS, RequestWithPrincipal, RouteAccess, routeAccess } from './auth.guard';
import { tooLargeMessage } from './body';
import { toHttpError } from './error.filter';
import type { PrincipalDirectory } from './principals';
import { countRequest, RATE_LIMITS, RateLimits, rateLimitedRoute } from './rate-limit';
import { SIGN_IN, SignIn } from './sign-in';
import { bearerChallenge } from './bearer-tokens';
import { lingerAfterAnswer, LingerLimits } from './lingering-close';

/** Who may call a route and whether it is counted: decided from its decorators once, at start. */
export interface GateAccess extends RouteAccess {
  counted: boolean;
}

/** How long a caller without a valid key waits for its 429 once past its budget. */
export const OVER_BUDGET_DELAY_MS = 1000;

declare module 'fastify' {
  /** A controller route's GateAccess, in its Fastify route config. */
  interface FastifyContextConfig {
    workgateGate?: GateAccess;
  }
}

/**
 * Gives every route of the app's controllers its GateAccess, carried to Fastify as route config
 * (`@RouteConfig`'s metadata, which Nest copies onto the route it registers), so the gate finds it
 * on the matched route in constant time: no table of paths to keep in step with the router.
 * Must run before the app is initialised (its routes registered).
 */
function carryAccessToRoutes(app: NestFastifyApplication): void {
  for (const module of app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype;
      const proto: unknown = controller?.prototype;
      if (!controller || typeof proto !== 'object' || proto === null) continue;
      for (const name of Object.getOwnPropertyNames(proto)) {
        const handler: unknown = Reflect.get(proto, name);
        if (
          name === 'constructor' ||
          typeof handler !== 'function' ||
          Reflect.getMetadata(PATH_METADATA, handler) === undefined
        )
          continue;
        const access: GateAccess = {
          ...routeAccess(handler, controller),
          counted: rateLimitedRoute(handler, controller),
        };
        const config: unknown = Reflect.getMetadata(FASTIFY_ROUTE_CONFIG_METADATA, handler);
        const carried: FastifyContextConfig = { ...(typeof config === 'object' ? config : {}), workgateGate: access };
        Reflect.defineMetadata(FASTIFY_ROUTE_CONFIG_METADATA, carried, handler);
      }
    }
  }
}

/** The app's SignIn: null without WORKGATE_OIDC_ISSUER, or in an app that does not provide one (API keys only). */
function signInOf(app: NestFastifyApplication): SignIn | null {
  try {
    return app.get<SignIn | null>(SIGN_IN, { strict: false });
  } catch {
    return null;
  }
}

/** The body size a request declares: its Content-Length, 0 when it has none (a chunked body is counted as it is read). */
function declaredLength(req: FastifyRequest): number {
  const length = Number(req.headers['content-length']);
  return Number.isFinite(length) && length > 0 ? length : 0;
}

/**
 * Answers a refusal from the gate as GatewayErrorFilter would, and closes the connection when the
 * request has a body: the body is never parsed, only read and discarded for a bounded time after
 * the answer (`lingerAfterAnswer`), so that a client still sending it reads the answer.
 */
function refuse(
  req: FastifyRequest,
  reply: FastifyReply,
  declared: number,
  error: WorkgateError,
  linger: LingerLimits,
): void {
  const { status, body } = toHttpError(error);
  if (status === 401) reply.header('WWW-Authenticate', bearerChallenge(error));
  if (declared > 0 || req.headers['transfer-encoding'] !== undefined) {
    reply.header('Connection', 'close');
    lingerAfterAnswer(req.raw, linger);
  }
  void reply.code(status).type('application/json; charset=utf-8').send(body);
}

/**
 * The gate of the HTTP edge, an `onRequest` hook: everything about a request that needs no body is
 * decided before its body is read (docs/api.md, Conventions (before the body)), in this order — a declared body over the
 * route's limit (413, before the key is looked at), the rate limit (429: requests per principal or
 * address, declared body bytes per address without a valid key; a bearer JWT not verified before
 * counts against its address, before it is verified), the API key or token (401) and the role
 * (403). Constant work per request: the route's GateAccess, one lookup of the key's hash (kept
 * for the AuthGuard and the handlers as `req.principal`), two counters. Requests that matched no
 * controller route (unknown paths, the API document's files) pass as before.
 */
export function installGate(app: NestFastifyApplication, linger: LingerLimits): void {
  carryAccessToRoutes(app);
  const principals = app.get<PrincipalDirectory>(PRINCIPALS);
  const limits = app.get<RateLimits>(RATE_LIMITS);
  const signIn = signInOf(app);
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onRequest', (req: RequestWithPrincipal, reply: FastifyReply, done: HookHandlerDoneFunction) => {
      const route = req.routeOptions;
      const access = route.config?.workgateGate;
      if (!access) return done();
      const declared = declaredLength(req);
      const limit = route.bodyLimit;
      if (declared > limit)
        return refuse(req, reply, declared, new WorkgateError('payload_too_large', tooLargeMessage(limit)), linger);
      const verification = signIn?.identify(req);
      if (!verification) return decide(req, reply, access, declared, done, access.counted);
      // A bearer JWT not seen before is counted against the caller's address before it is verified
      // (its issuer's keys may need fetching): a flood of made-up tokens meets the rate limit first.
      const over = access.counted ? countRequest(limits, req, reply, undefined, declared) : undefined;
      if (over) return refuseOverBudget(req, reply, declared, over, false, linger);
      verification().then(
        () => decide(req, reply, access, declared, done, false),
        (error: unknown) =>
          refuse(
            req,
            reply,
            declared,
            error instanceof WorkgateError ? error : new WorkgateError('internal', 'internal error'),
            linger,
          ),
      );
    });

  /** The rate limit (429, unless counted already), the principal (401) and its roles (403), once the request's credentials are known. */
  function decide(
    req: RequestWithPrincipal,
    reply: FastifyReply,
    access: GateAccess,
    declared: number,
    done: HookHandlerDoneFunction,
    count: boolean,
  ): void {
    const principal = principalOf(req, principals);
    if (principal) req.principal = principal;
    const over = count ? countRequest(limits, req, reply, principal, declared) : undefined;
    if (over) return refuseOverBudget(req, reply, declared, over, principal !== undefined, linger);
    const refusal = accessRefusal(access, req, principal);
    if (!refusal) return done();
    refuse(req, reply, declared, refusal, linger);
  }
}

/**
 * A caller without a valid key past its budget waits for its 429: a flood then costs the attacker
 * a second per connection, not the service a new connection every millisecond.
 */
function refuseOverBudget(
  req: FastifyRequest,
  reply: FastifyReply,
  declared: number,
  refusal: WorkgateError,
  known: boolean,
  linger: LingerLimits,
): void {
  if (known) return refuse(req, reply, declared, refusal, linger);
  // Its body (never parsed) is discarded while it waits, as after any early refusal (`lingerAfterAnswer`).
  if (declared > 0 || req.headers['transfer-encoding'] !== undefined) req.raw.resume();
  setTimeout(() => refuse(req, reply, declared, refusal, linger), OVER_BUDGET_DELAY_MS);
}
