import { MessagePort } from 'node:worker_threads';
import { WireError, WorkgateError } from '@workgate/contracts';
import { LocalHandler, LocalRoutes, RouteRegistry } from './local-routes';
import { toWireError } from './wire';

/** A request for a route the other thread offers. */
interface RouteRequest {
  id: number;
  subject: string;
  payload: unknown;
}

/**
 * What the two ends of a route port say to each other. Payloads travel as structured clones: no
 * JSON, no NATS. The requests a thread makes in one turn (before its microtasks run out) cross as
 * one message, and the other thread hands them to their handlers in one turn, in order: what is
 * sent together is taken in together, as within one thread (intake records commands on one work
 * order that arrive together in one commit). A route with a callback (`RouteRegistry.register`'s
 * `callback`) is told its interim answers as `told` messages, which the one port delivers before
 * the request's reply.
 */
type PortMessage =
  | { kind: 'route'; subject: string; present: boolean; callback?: string }
  | { kind: 'requests'; requests: RouteRequest[] }
  | { kind: 'told'; id: number; data: unknown }
  | { kind: 'reply'; id: number; ok: true; data: unknown }
  | { kind: 'reply'; id: number; ok: false; error: WireError };

/**
 * The thread side: offers this thread's local routes (as they come and go) to the thread at the
 * other end of `port`, and answers its requests with them. Returns the way to stop offering.
 */
export function offerLocalRoutes(port: MessagePort, routes: RouteRegistry = LocalRoutes): () => void {
  const announce = (subject: string, present: boolean) => {
    const callback = present ? routes.callbackOf(subject) : undefined;
    port.postMessage({ kind: 'route', subject, present, ...(callback ? { callback } : {}) } satisfies PortMessage);
  };
  // A route registered for its own thread only stays there (present or gone alike).
  routes.crossingSubjects().forEach((subject) => announce(subject, true));
  const stop = routes.onChange((subject, present, crossesThreads) => crossesThreads && announce(subject, present));
  const answer = (m: RouteRequest) => {
    const handler = routes.get(m.subject);
    const answered = handler
      ? handler(withCallback(m.payload, routes.callbackOf(m.subject), (data) => tell(port, m.id, data)))
      : Promise.reject(new WorkgateError('unavailable', `no service answers on ${m.subject}`));
    const fail = (error: unknown) =>
      port.postMessage({ kind: 'reply', id: m.id, ok: false, error: toWireError(error) } satisfies PortMessage);
    answered.then((data) => {
      try {
        port.postMessage({ kind: 'reply', id: m.id, ok: true, data } satisfies PortMessage);
      } catch (error) {
        fail(error); // an answer that cannot be cloned: `internal`, as any unexpected failure
      }
    }, fail);
  };
  port.on('message', (m: PortMessage) => m.kind === 'requests' && m.requests.forEach(answer));
  return () => {
    stop();
    routes.crossingSubjects().forEach((subject) => announce(subject, false));
  };
}

/** An object payload (a clone may come from another realm: not tested as a plain object). */
const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The payload with its callback field restored as a function that tells the caller's thread. */
function withCallback(payload: unknown, field: string | undefined, told: (data: unknown) => void): unknown {
  return field && isRecord(payload) ? { ...payload, [field]: told } : payload;
}

/** An interim answer for the request `id`: lost, not failed, when it cannot be cloned (the reply still comes). */
function tell(port: MessagePort, id: number, data: unknown): void {
  try {
    port.postMessage({ kind: 'told', id, data } satisfies PortMessage);
  } catch {
    // An interim answer is an early word only: the caller waits for the reply.
  }
}

/** The payload without its callback field (a function cannot be cloned), and that callback. */
function splitCallback(payload: unknown, field: string | undefined): { sent: unknown; told?: (data: unknown) => void } {
  if (!field || !isRecord(payload) || typeof payload[field] !== 'function') return { sent: payload };
  const { [field]: told, ...sent } = payload;
  return { sent, told: told as (data: unknown) => void };
}

/**
 * The main side: while the thread at the other end of `port` offers a route, requests on that
 * subject from this thread are answered there (same handler, same errors as in-process), instead
 * of over NATS. `close` withdraws the routes and fails whatever is still waiting as `unavailable`.
 */
export function useOfferedRoutes(port: MessagePort, routes: RouteRegistry = LocalRoutes): { close(): void } {
  const waiting = new Map<
    number,
    { resolve: (data: unknown) => void; reject: (error: Error) => void; told?: (data: unknown) => void }
  >();
  const offered = new Map<string, LocalHandler>();
  let next = 0;
  /** The requests of this turn, sent as one message once its microtasks run out. */
  let outgoing: RouteRequest[] = [];
  const flush = () => {
    const requests = outgoing;
    outgoing = [];
    try {
      port.postMessage({ kind: 'requests', requests } satisfies PortMessage);
    } catch {
      // A payload that cannot be cloned fails its own request; the others still cross together.
      const cloneable = requests.filter((request) => {
        try {
          structuredClone(request.payload);
          return true;
        } catch (error) {
          waiting.get(request.id)?.reject(error as Error);
          waiting.delete(request.id);
          return false;
        }
      });
      port.postMessage({ kind: 'requests', requests: cloneable } satisfies PortMessage);
    }
  };
  const send = (request: RouteRequest) => {
    if (outgoing.push(request) === 1) queueMicrotask(flush);
  };
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
      const callback = m.callback;
      const handler: LocalHandler = (payload) =>
        new Promise((resolve, reject) => {
          const id = ++next;
          const { sent, told } = splitCallback(payload, callback);
          waiting.set(id, { resolve, reject, told });
          send({ id, subject: m.subject, payload: sent });
        });
      offered.set(m.subject, handler);
      // Served on the thread that offered it: never offered on again (back to it, or to a third thread).
      routes.register(m.subject, handler, { thisThreadOnly: true, ...(callback ? { callback } : {}) });
    } else if (m.kind === 'told') {
      // Told before the reply (one port keeps the order); a callback that throws fails nothing else.
      try {
        waiting.get(m.id)?.told?.(m.data);
      } catch {
        // The caller's own failure: its reply is still delivered.
      }
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
