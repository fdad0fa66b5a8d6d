import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import { WorkgateError } from '@workgate/contracts';

/** The order methods are listed in an `Allow` header. */
const ORDER = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

interface KnownPath {
  pattern: RegExp;
  methods: Set<string>;
}

/** A route template (`/v1/work-orders/:id`, `/docs/*`) as the router matches it: in any case, with or without a trailing slash. */
function templatePattern(template: string): RegExp {
  const parts = template
    .replace(/\/+$/, '')
    .split('/')
    .map((part) =>
      part === '*' ? '.*' : part.startsWith(':') ? '[^/]+' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'),
    );
  return new RegExp(`^${parts.join('/')}/?$`, 'i');
}

/**
 * The methods every path of the gateway answers, learnt from the router as routes are added: a
 * request for a known path with a method it does not take is 405 method_not_allowed with `Allow`
 * (an unknown path stays 404). A path with GET answers HEAD too (Fastify's own HEAD routes);
 * OPTIONS on a known path answers 204 with `Allow`, and no body.
 */
export class RouteMethods {
  private readonly paths = new Map<string, KnownPath>();

  /** Learns the routes Nest (and Swagger) add from now on: call before the app's routes are registered. */
  static learn(fastify: FastifyInstance): RouteMethods {
    const known = new RouteMethods();
    fastify.addHook('onRoute', (route: RouteOptions) => known.add(route.url, route.method));
    return known;
  }

  add(template: string, method: string | string[]): void {
    const key = template.replace(/\/+$/, '').toLowerCase();
    const path = this.paths.get(key) ?? { pattern: templatePattern(template), methods: new Set<string>() };
    for (const m of Array.isArray(method) ? method : [method]) path.methods.add(m.toUpperCase());
    if (path.methods.has('GET')) path.methods.add('HEAD');
    path.methods.add('OPTIONS');
    this.paths.set(key, path);
  }

  /** The methods `url`'s path answers (its query string aside), in the order of `Allow`; `undefined` for a path no route has. */
  allowed(url: string): string[] | undefined {
    const query = url.indexOf('?');
    const path = query < 0 ? url : url.slice(0, query);
    const methods = new Set<string>();
    for (const known of this.paths.values())
      if (known.pattern.test(path)) for (const m of known.methods) methods.add(m);
    return methods.size === 0
      ? undefined
      : ORDER.filter((m) => methods.has(m)).concat([...methods].filter((m) => !ORDER.includes(m)).sort());
  }

  /**
   * What a request that no route matched gets instead of 404, when its path is known: 204 with
   * `Allow` to OPTIONS, or the 405 refusal (with `Allow` set on the reply). `undefined`: 404 it is.
   */
  refusal(req: FastifyRequest, reply: FastifyReply): WorkgateError | 'answered' | undefined {
    const allowed = this.allowed(req.url);
    if (allowed === undefined) return undefined;
    reply.header('Allow', allowed.join(', '));
    if (req.method === 'OPTIONS') return 'answered';
    return new WorkgateError(
      'method_not_allowed',
      `${req.method} is not allowed on this path: it takes ${allowed.join(', ')}`,
    );
  }
}
