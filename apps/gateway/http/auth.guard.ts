import { CanActivate, createParamDecorator, ExecutionContext, Inject, Injectable, Provider } from '@nestjs/common';
import { METHOD_METADATA } from '@nestjs/common/constants';
import type { FastifyRequest } from 'fastify';
import { WorkgateError } from '@workgate/contracts';
import { Principal, PrincipalDirectory, Role, WatchedPrincipalDirectory } from './principals';
import { RouteSetting } from './route-settings';
import { summaryOf } from '../openapi/decorators';
import { roleRefusal, routeAction } from './role-refusal';

/** Provider token of the PrincipalDirectory (tests inject their own). */
export const PRINCIPALS = Symbol('workgate:principals');

/** Provides PRINCIPALS from the principals file at `path` (WORKGATE_PRINCIPALS), kept current while workgate runs. */
export function principalsProvider(path: string): Provider {
  return { provide: PRINCIPALS, useFactory: () => new WatchedPrincipalDirectory(path) };
}

const IS_PUBLIC = new RouteSetting<boolean>('workgate:public');
const ROLE_SETTING = new RouteSetting<Role[]>('workgate:roles');

/** The route needs no API key (a valid key, when sent, still sets the principal). */
export const Public = (): MethodDecorator & ClassDecorator => IS_PUBLIC.decorate(true);

/** The route needs a principal holding at least one of these roles. */
export const Roles = (...roles: [Role, ...Role[]]): MethodDecorator & ClassDecorator => ROLE_SETTING.decorate(roles);

/** Who may call a route: no key at all, or a principal with one of these roles (none listed: any principal). */
export interface RouteAccess {
  public: boolean;
  roles: Role[];
  /** What the route does, as a refusal of its role says it (`decide an approval`). */
  action: string;
}

/** Who may call a route (for the gate and the API document), and what it does in words. */
export function routeAccess(handler: object, controller: object): RouteAccess {
  const method: unknown = Reflect.getMetadata(METHOD_METADATA, handler);
  return {
    public: !!IS_PUBLIC.of(handler, controller),
    roles: ROLE_SETTING.of(handler, controller) ?? [],
    action: routeAction(summaryOf(handler), method === 0 || method === 7), // RequestMethod.GET, HEAD
  };
}

export type RequestWithPrincipal = FastifyRequest & { principal?: Principal };

const BEARER = /^Bearer[ \t]+([^\s]+)[ \t]*$/i;

/** The API key of `Authorization: Bearer <key>`, or undefined. */
export function bearerKey(req: { headers: Record<string, string | string[] | undefined> }): string | undefined {
  const header = req.headers.authorization;
  if (typeof header !== 'string') return undefined;
  return BEARER.exec(header)?.[1];
}

const resolved = new WeakMap<object, Principal | null>();
/** Why a request's credentials were refused, where more than "unknown" can be said (a bearer token's reason, CSRF). */
const refusals = new WeakMap<object, WorkgateError>();

/**
 * Keeps the principal a request's bearer token or console session resolved to (SignIn.identify,
 * before the body is read), or the refusal that says why there is none, for principalOf and
 * accessRefusal.
 */
export function settlePrincipal(req: object, principal: Principal | undefined, refusal?: WorkgateError): void {
  resolved.set(req, principal ?? null);
  if (refusal) refusals.set(req, refusal);
}

/**
 * The principal of the request's API key (undefined when none or unknown), resolved once per
 * request whichever guard asks first, so neither guard depends on the other's order.
 */
export function principalOf(
  req: object & { headers: Record<string, string | string[] | undefined> },
  directory: PrincipalDirectory,
): Principal | undefined {
  if (resolved.has(req)) return resolved.get(req) ?? undefined;
  const key = bearerKey(req);
  const principal = key === undefined ? undefined : directory.byApiKey(key);
  resolved.set(req, principal ?? null);
  return principal;
}

/**
 * Why a caller may not call a route whose access is `access`: without a valid API key (401) or
 * without one of its roles (403); undefined when it may. `@Public()` routes are open to anyone.
 */
export function accessRefusal(
  access: RouteAccess,
  req: { headers: Record<string, string | string[] | undefined> },
  principal: Principal | undefined,
): WorkgateError | undefined {
  if (access.public) return undefined;
  if (!principal) {
    const refused = refusals.get(req);
    if (refused) return refused;
    return bearerKey(req) === undefined
      ? new WorkgateError('unauthorized', 'an API key is required: send Authorization: Bearer <api key>')
      : new WorkgateError('unauthorized', 'the API key is not known');
  }
  if (access.roles.length > 0 && !access.roles.some((role) => principal.roles.includes(role))) {
    return new WorkgateError('forbidden', roleRefusal(access.roles, access.action, principal));
  }
  return undefined;
}

/**
 * Global guard of the HTTP edge: `@Public()` routes are open; every other route needs a valid
 * API key (401 otherwise), and with `@Roles(...)` one of those roles (403 otherwise). The edge's
 * gate (`installGate`) decides the same before the body is read, so here it only confirms it
 * (the key resolved once per request) and attaches the principal; it still refuses on a route
 * the gate did not know. Only HTTP is guarded: the gateway's NATS handlers pass.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(@Inject(PRINCIPALS) private readonly principals: PrincipalDirectory) {}

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    const req = context.switchToHttp().getRequest<RequestWithPrincipal>();
    const principal = principalOf(req, this.principals);
    if (principal) req.principal = principal;
    const refusal = accessRefusal(routeAccess(context.getHandler(), context.getClass()), req, principal);
    if (refusal) throw refusal;
    return true;
  }
}

/** The principal the AuthGuard attached (undefined only on a `@Public()` route called without a key). */
export const CurrentPrincipal = createParamDecorator(
  (_data: unknown, ctx: ExecutionContext): Principal | undefined =>
    ctx.switchToHttp().getRequest<RequestWithPrincipal>().principal,
);
