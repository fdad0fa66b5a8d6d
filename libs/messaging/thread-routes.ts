import { MessagePort } from 'node:worker_threads';
import { WireError, WorkgateError } from '@workgate/contracts';
import { LocalHandler, LocalRoutes, RouteRegistry } from './local-routes';
import { toWireError } from './wire';

/** What the two ends of a route port say to each other. Payloads travel as structured clones: no JSON, no NATS. */
type PortMessage =
  | { kind: 'route'; subject: string; present: boolean }
  | { kind: 'request'; id: number; subject: string; payload: unknown }
  | { kind: 'reply'; id: number; ok: true; data: unknown }
  | { kind: 'reply'; id: number; ok: false; error: WireError };

/**
 * The thread side: offers this thread's local routes (as they come and go) to the thread at the
 * other end of `port`, and answers its requests with them. Returns the way to stop offering.
 */
export function offerLocalRoutes(port: MessagePort, routes: RouteRegistry = LocalRoutes): () => void {
  const announce = (subject: string, present: boolean) =>
    port.postMessage({ kind: 'route', subject, present } satisfies PortMessage);
  // A route whose payload carries a callback stays on its own thread (present or gone alike).
  routes.crossingSubjects().forEach((subject) => announce(subject, true));
  const stop = routes.onChange((subject, present, crossesThreads) => crossesThreads && announce(subject, present));
  port.on('message', (m: PortMessage) => {
    if (m.kind !== 'request') return;
    const handler = routes.get(m.subject);
    const answer = handler
      ? handler(m.payload)
      : Promise.reject(new WorkgateError('unavailable', `no service answers on ${m.subject}`));
    const fail = (error: unknown) =>
      port.postMessage({ kind: 'reply', id: m.id, ok: false, error: toWireError(error) } satisfies PortMessage);
    answer.then((data) => {
      try {
        port.postMessage({ kind: 'reply', id: m.id, ok: true, data } satisfies PortMessage);
      } catch (error) {
        fail(error); // an answer that cannot be cloned: `internal`, as any unexpected failure
      }
    }, fail);
  });
  return () => {
    stop();
    routes.crossingSubjects().forEach((subject) => announce(subject, false));
  };
}

/**
 * The main side: while the thread at the other end of `port` offers a route, requests on that
 * subject from this thread are answered there (same handler, same errors as in-process), instead
 * of over NATS. `close` withdraws the routes and fails whatever is still waiting as `unavailable`.
 */
export function useOfferedRoutes(port: MessagePort, routes: RouteRegistry = LocalRoutes): { close(): void } {
  const waiting = new Map<number, { resolve: (data: unknown) => void; reject: (error: Error) => void }>();
  const offered = new Map<string, LocalHandler>();
  let next = 0;
  const withdraw = (subject: string) => {
    const handler = offered.get(subject);
    if (!handler) return;
    routes.unregister(subject, handler);
    offered.delete(subject);
  };
  port.on('message', (m: PortMessage) => {
    if (m.kind === 'route') {
      if (!m.present) return withdraw(m.subject);
      // A service of this thread serving the subject itself keeps it.
      if (routes.get(m.subject) && !offered.has(m.subject)) return;
      const handler: LocalHandler = (payload) =>
        new Promise((resolve, reject) => {
          const id = ++next;
          waiting.set(id, { resolve, reject });
          port.postMessage({ kind: 'request', id, subject: m.subject, payload } satisfies PortMessage);
        });
      offered.set(m.subject, handler);
      // Served on the thread that offered it: never offered on again (back to it, or to a third thread).
      routes.register(m.subject, handler, { thisThreadOnly: true });
    } else if (m.kind === 'reply') {
      const w = waiting.get(m.id);
      if (!w) return;
      waiting.delete(m.id);
      if (m.ok) w.resolve(m.data);
      else w.reject(WorkgateError.fromWire(m.error));
    }
  });
  return {
    close: () => {
      [...offered.keys()].forEach(withdraw);
      for (const w of waiting.values())
        w.reject(new WorkgateError('unavailable', 'the thread that served this request stopped'));
      waiting.clear();
      port.close();
    },
  };
}
