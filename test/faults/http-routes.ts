import { RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA, ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import { McpController } from '../../apps/gateway/mcp/mcp.controller';
import { GatewayModule } from '../../apps/gateway/gateway.module';
import { Public, Role, ROLES, Roles } from '../../apps/gateway/http';

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
  const doc = (await res.json()) as { paths: Record<string, Record<string, unknown>> };
  return Object.entries(doc.paths).flatMap(([path, operations]) =>
    Object.keys(operations).map((method) => ({ method: method.toUpperCase(), path, params: paramsOf(path) })),
  );
}

/**
 * Every HTTP route of the gateway's controllers with the metadata the AuthGuard reads
 * (`@Public()`, `@Roles(...)` on the handler, else on the controller). The controllers are the
 * ones GatewayModule registers; register() only assembles the module, nothing connects.
 */
export function declaredRoutes(): DeclaredRoute[] {
  // SetMetadata decorators carry their metadata key: the very keys the AuthGuard reads.
  const ROLES_KEY = (Roles('admin') as unknown as { KEY: string }).KEY;
  const PUBLIC_KEY = (Public() as unknown as { KEY: string }).KEY;
  const module = GatewayModule.register({
    config: { WORKGATE_RATE_LIMIT_PER_MINUTE: 1, WORKGATE_PRINCIPALS: '' },
  } as never);
  const routes: DeclaredRoute[] = [];
  // The MCP endpoint speaks JSON-RPC (its errors are MCP's own): test/mcp.e2e-spec.ts covers it.
  for (const controller of (module.controllers ?? []).filter((c) => c !== McpController)) {
    const base = [Reflect.getMetadata(PATH_METADATA, controller) as string | string[] | undefined].flat()[0] ?? '';
    for (const name of Object.getOwnPropertyNames(controller.prototype)) {
      const handler = controller.prototype[name];
      if (typeof handler !== 'function' || Reflect.getMetadata(METHOD_METADATA, handler) === undefined) continue;
      const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod];
      const sub = [Reflect.getMetadata(PATH_METADATA, handler) as string | string[] | undefined].flat()[0] ?? '';
      const path = `/${[base, sub]
        .map((p) => p.replace(/^\/+|\/+$/g, ''))
        .filter(Boolean)
        .join('/')}`.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
      const pick = <T>(key: string) =>
        (Reflect.getMetadata(key, handler) as T | undefined) ?? (Reflect.getMetadata(key, controller) as T | undefined);
      const roles = pick<Role[]>(ROLES_KEY);
      const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, controller, name) ?? {}) as Record<
        string,
        { index: number; data?: unknown }
      >;
      const queryArg = Object.entries(args).find(
        ([key, arg]) => key.startsWith(`${RouteParamtypes.QUERY}:`) && arg.data === undefined,
      )?.[1];
      const query =
        queryArg &&
        (Reflect.getMetadata('design:paramtypes', controller.prototype, name) as Array<new () => object>)[
          queryArg.index
        ];
      routes.push({
        method,
        path,
        params: paramsOf(path),
        public: pick<boolean>(PUBLIC_KEY) === true,
        ...(roles?.length ? { roles } : {}),
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
