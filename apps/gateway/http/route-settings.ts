import { ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';

const reflector = new Reflector();
/** controller -> handler -> key -> setting (a handler may be inherited by several controllers). */
const settings = new WeakMap<object, WeakMap<object, Map<string, unknown>>>();

/**
 * A route's setting (`SetMetadata(key, …)` on its handler, else on its controller), as Nest's
 * `Reflector.getAllAndOverride` reads it. Settings are decorators, fixed once the controllers are
 * loaded: each is read once per route and kept. The guards ask on every request, the API
 * document once per route.
 */
export function routeSettingOf<T>(key: string, handler: object, controller: object): T | undefined {
  let byHandler = settings.get(controller);
  if (!byHandler) settings.set(controller, (byHandler = new WeakMap()));
  let byKey = byHandler.get(handler);
  if (!byKey) byHandler.set(handler, (byKey = new Map()));
  if (!byKey.has(key))
    byKey.set(key, reflector.getAllAndOverride(key, [handler as () => void, controller as () => void]));
  return byKey.get(key) as T | undefined;
}

/** The setting of the route a request is for. */
export function routeSetting<T>(key: string, context: ExecutionContext): T | undefined {
  return routeSettingOf<T>(key, context.getHandler(), context.getClass());
}
