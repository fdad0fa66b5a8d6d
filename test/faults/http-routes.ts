import { RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA, ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import { McpController } from '../../apps/gateway/mcp/mcp.controller';
import { gatewayControllers } from '../../apps/gateway/gateway.module';
import { Role, ROLES, routeAccess } from '../../apps/gateway/http';
import {
  arrayOf,
  checked,
  Guard,
  isNumber,
  isRecord,
  isString,
  isUnknown,
  optional,
  recordOf,
  shaped,
} from '../support/guards';

/** One HTTP route as the gateway's OpenAPI document names it: `{param}` placeholders. */
export interface Route {
  method: string;
  path: string;
  params: string[];
}

/** A route as the gateway's controllers declare it: the roles of its `@Roles`, or none (any principal). */
export interface DeclaredRoute extends Route {
  public: boolean;
  roles?: readonly Role[];
  /** The class of its whole `@Query()`, when it takes one (validated like a body). */
  query?: new () => object;
}

export const routeKey = (r: { method: string; path: string }) => `${r.method} ${r.path}`;

const paramsOf = (path: string) => [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);

/** Every operation of the OpenAPI document the gateway serves at /docs-json. */
export async function openApiRoutes(baseUrl: string): Promise<Route[]> {
  const res = await fetch(`${baseUrl}/docs-json`);
  if (res.status !== 200) throw new Error(`GET /docs-json answered ${res.status}`);
  const doc = checked(await res.json(), shaped({ paths: recordOf(isRecord) }), 'the OpenAPI document');
  return Object.entries(doc.paths).flatMap(([path, operations]) =>
    Object.keys(operations).map((method) => ({ method: method.toUpperCase(), path, params: paramsOf(path) })),
  );
}

/** Nest's metadata `key` on `target` (a handler's, a controller's), checked as the shape Nest writes there. */
function metadataOf<T>(guard: Guard<T>, key: string, target: object, property?: string): T {
  const value: unknown =
    property === undefined ? Reflect.getMetadata(key, target) : Reflect.getMetadata(key, target, property);
  return checked(value, guard, `the ${key} metadata`);
}

const isPath = optional((value: unknown): value is string | string[] => isString(value) || arrayOf(isString)(value));
const firstPath = (path: string | string[] | undefined) => [path].flat()[0] ?? '';
const isMethod = (value: unknown): value is RequestMethod => typeof value === 'number' && value in RequestMethod;
const isRouteArgs = optional(recordOf(shaped({ index: isNumber, data: isUnknown })));
const isClass = (value: unknown): value is new () => object => typeof value === 'function';

/**
 * Every HTTP route of the gateway's controllers with what the AuthGuard reads (`@Public()`,
 * `@Roles(...)` on the handler, else on the controller). The controllers are the ones the
 * GatewayModule registers (without an OpenID Connect issuer, as the tests run it).
 */
export function declaredRoutes(): DeclaredRoute[] {
  const routes: DeclaredRoute[] = [];
  // The MCP endpoint speaks JSON-RPC (its errors are MCP's own): test/mcp.e2e-spec.ts covers it.
  for (const controller of gatewayControllers({ WORKGATE_OIDC_ISSUER: undefined }).filter((c) => c !== McpController)) {
    const base = firstPath(metadataOf(isPath, PATH_METADATA, controller));
    for (const name of Object.getOwnPropertyNames(controller.prototype)) {
      const handler: unknown = Reflect.get(controller.prototype, name);
      if (typeof handler !== 'function' || Reflect.getMetadata(METHOD_METADATA, handler) === undefined) continue;
      const method = RequestMethod[metadataOf(isMethod, METHOD_METADATA, handler)];
      const sub = firstPath(metadataOf(isPath, PATH_METADATA, handler));
      const path = `/${[base, sub]
        .map((p) => p.replace(/^\/+|\/+$/g, ''))
        .filter(Boolean)
        .join('/')}`.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
      const access = routeAccess(handler, controller);
      const args = metadataOf(isRouteArgs, ROUTE_ARGS_METADATA, controller, name) ?? {};
      const queryArg = Object.entries(args).find(
        ([key, arg]) => key.startsWith(`${RouteParamtypes.QUERY}:`) && arg.data === undefined,
      )?.[1];
      const query =
        queryArg && metadataOf(arrayOf(isClass), 'design:paramtypes', controller.prototype, name)[queryArg.index];
      routes.push({
        method,
        path,
        params: paramsOf(path),
        public: access.public,
        ...(access.roles.length ? { roles: access.roles } : {}),
        ...(query ? { query } : {}),
      });
    }
  }
  return routes;
}

/** The route's path with each `{param}` replaced (already encoded by the caller, or deliberately not). */
export function fillPath(path: string, values: Record<string, string>): string {
  return path.replace(/\{([^}]+)\}/g, (_m, name: string) => {
    if (!(name in values)) throw new Error(`no value for {${name}} in ${path}`);
    return values[name];
  });
}

export { ROLES };
export type { Role };
