import { ExecutionContext, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';

const reflector = new Reflector();

/**
 * A setting a route carries (`SetMetadata(key, …)` on its handler, else on its controller), read as
 * Nest's `Reflector.getAllAndOverride` reads it. Settings are decorators, fixed once the controllers
 * are loaded: each is read once per route and kept. The guards ask on every request, the API
 * document once per route.
 */
export class RouteSetting<T> {
  /** controller -> handler -> the setting (a handler may be inherited by several controllers). */
  private readonly read = new WeakMap<object, WeakMap<object, { value: T | undefined }>>();

  constructor(readonly key: string) {}

  /** The decorator that gives a route (or every route of a controller) this setting. */
  decorate(value: T): MethodDecorator & ClassDecorator {
    return SetMetadata(this.key, value);
  }

  /** The setting of a route, by its handler and controller. */
  of(handler: object, controller: object): T | undefined {
    let byHandler = this.read.get(controller);
    if (!byHandler) this.read.set(controller, (byHandler = new WeakMap()));
    let kept = byHandler.get(handler);
    if (!kept) {
      const targets = [handler, controller].filter((target) => typeof target === 'function');
      kept = { value: reflector.getAllAndOverride<T | undefined>(this.key, targets) };
      byHandler.set(handler, kept);
    }
    return kept.value;
  }

  /** The setting of the route a request is for. */
  in(context: Pick<ExecutionContext, 'getHandler'> & { getClass(): object }): T | undefined {
    return this.of(context.getHandler(), context.getClass());
  }
}
