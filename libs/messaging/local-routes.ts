import { Logger } from '@nestjs/common';
import { isWorkgateError, WorkgateError } from '@workgate/contracts';

export type LocalHandler = (payload: unknown) => Promise<unknown>;
/** Told of a route that comes or goes, and whether another thread may be offered it. */
type RouteListener = (subject: string, present: boolean, crossesThreads: boolean) => void;

interface Route {
  /** The handler as registered. */
  handler: LocalHandler;
  /** The wrapped handler that serves. */
  serve: LocalHandler;
  /** false: never offered to another thread (another thread offered it here, or its payload cannot cross). */
  crossesThreads: boolean;
  /** The payload's field that holds a function the handler calls with interim answers (see `register`). */
  callback?: string;
}

const logger = new Logger('local-routes');

/** Request/reply handlers by subject, with notice of each route that comes or goes. */
export class RouteRegistry {
  private readonly routes = new Map<string, Route>();
  private readonly listeners = new Set<RouteListener>();
  /** Off switch (WORKGATE_LOCAL_ROUTES=off, applied when services start): every request goes over NATS. */
  enabled = true;

  /**
   * `thisThreadOnly`: thread-routes.ts never offers the route to another thread (its payload cannot
   * cross, or another thread serves it). `callback`: the payload's field that holds a function the
   * handler calls with interim answers before its reply; a caller on another thread is told each of
   * them (in order, before the reply) through the port, the function itself never crossing.
   */
  register(
    subject: string,
    handler: LocalHandler,
    options: { thisThreadOnly?: boolean; callback?: string } = {},
  ): void {
    const fail = (error: unknown): never => {
      if (isWorkgateError(error)) throw error;
      logger.error(`${subject} failed: ${(error instanceof Error && error.stack) || String(error)}`);
      throw new WorkgateError('internal', 'internal error');
    };
    // Not an async function: a suspended one would keep the payload alive until the answer came.
    const serve: LocalHandler = (payload) => {
      try {
        return Promise.resolve(handler(payload)).catch(fail);
      } catch (error) {
        return Promise.resolve().then(() => fail(error));
      }
    };
    const crossesThreads = options.thisThreadOnly !== true;
    this.routes.set(subject, { handler, serve, crossesThreads, callback: options.callback });
    this.listeners.forEach((l) => l(subject, true, crossesThreads));
  }

  /** Removes the route; with `handler`, only if that handler is still the one registered. */
  unregister(subject: string, handler?: LocalHandler): void {
    const route = this.routes.get(subject);
    if (!route || (handler && route.handler !== handler)) return;
    this.routes.delete(subject);
    this.listeners.forEach((l) => l(subject, false, route.crossesThreads));
  }

  get(subject: string): LocalHandler | undefined {
    return this.routes.get(subject)?.serve;
  }

  /** The payload field of the route's interim-answer callback, if it has one. */
  callbackOf(subject: string): string | undefined {
    return this.routes.get(subject)?.callback;
  }

  subjects(): string[] {
    return [...this.routes.keys()];
  }

  /** The routes another thread may be offered (their payload can be cloned). */
  crossingSubjects(): string[] {
    return [...this.routes].filter(([, route]) => route.crossesThreads).map(([subject]) => subject);
  }

  /** Calls `listener` whenever a route is registered or removed; returns the way to stop. */
  onChange(listener: RouteListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

/**
 * Request/reply handlers served by THIS thread. When every service runs in one process
 * (`npm start`), a request to one of them is answered in-process instead of travelling to
 * nats-server and back into the same process: the same handler, the same errors, no encoding.
 * Each service still subscribes on NATS (queue group = service), so other processes reach it.
 * Another thread of the process offers its routes here through a message port (thread-routes.ts).
 */
export const LocalRoutes = new RouteRegistry();
