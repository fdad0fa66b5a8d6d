import { ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';

const reflector = new Reflector();
/** key -> handler -> controller -> setting. */
const settings = new Map<string, WeakMap<object, WeakMap<object, { value: unknown }>>>();

/**
 * A route's setting (`SetMetadata(key, …)` on its handler, else on its controller), as Nest's
 * `Reflector.getAllAndOverride` reads it. Settings are decorators, fixed once the controllers are
 * loaded: each is read once per route and kept, not looked up on every request.
 */
export function routeSetting<T>(key: string, context: ExecutionContext): T | undefined {
  const handler = context.getHandler();
  const controller = context.getClass();
  let byHandler = settings.get(key);
  if (!byHandler) settings.set(key, (byHandler = new WeakMap()));
  let byController = byHandler.get(handler);
  if (!byController) byHandler.set(handler, (byController = new WeakMap()));
  let setting = byController.get(controller);
  if (!setting) byController.set(controller, (setting = { value: reflector.getAllAndOverride<T | undefined>(key, [handler, controller]) }));
  return setting.value as T | undefined;
}
