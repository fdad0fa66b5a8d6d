import { MessagePort } from 'node:worker_threads';
import { WireError, WorkgateError } from '@workgate/contracts';
import { LocalHandler, LocalRoutes, RouteRegistry } from './local-routes';
import { contextOf, currentTraceparent, withContext } from './tracing';
import { toWireError } from './wire';

/**
 * What the two ends of a route port say to each other. Payloads travel as structured clones: no
 * JSON, no NATS; a request carries its caller's trace context (`traceparent`) when tracing is on,
 * and is handled in it, as in the caller's thread. A route with a callback (`RouteRegistry.register`'s `callback`) is told its
 * interim answers as `told` messages, which reach the caller before the request's reply.
 */
type PortMessage =
  | { kind: 'route'; subject: string; present: boolean; callback?: string }
  | { kind: 'request'; id: number; subject: string; payload: unknown; traceparent?: string }
  | { kind: 'told'; id: number; data: unknown }
  | { kind: 'reply'; id: number; ok: true; data: unknown }
  | { kind: 'reply'; id: number; ok: false; error: WireError };

/**
 * Posts to a route port what a thread says in one pass of its event loop as one port message (an
 * array, in order), once that pass's I/O is handled; the other end takes each array in one turn,
 * in order. So requests made together reach their handlers together, as within one thread (intake
 * records commands on one work order that arrive together in one commit), and a port message's
 * fixed cost is paid once per pass: with the requests and replies of 16 reads batched, a round
 * trip costs both threads about a fifth of the CPU it does alone. A message that cannot be cloned
 * fails alone (`failed`), never the others sent with it.
 */
function batchedPoster(port: MessagePort) {
  let pending: Array<{ message: PortMessage; failed?: (error: Error) => void }> = [];
  let scheduled: NodeJS.Immediate | undefined;
  const flush = () => {
    scheduled = undefined;
    const batch = pending;
    pending = [];
    if (batch.length === 0) return;
    try {
      port.postMessage(batch.map((b) => b.message));
    } catch {
      // One of them cannot be cloned: it fails alone, and the others still cross together.
      const cloneable = batch.filter(({ message, failed }) => {
        try {
          structuredClone(message);
          return true;
        } catch (error) {
          failed?.(error instanceof Error ? error : new Error(String(error)));
          return false;
        }
      });
      try {
        port.postMessage(cloneable.map((b) => b.message));
      } catch {
        // The batch fails as a whole (not one message of it): each goes on its own.
        for (const { message, failed } of cloneable) {
          try {
            port.postMessage([message]);
          } catch (error) {
            failed?.(error instanceof Error ? error : new Error(String(error)));
          }
        }
      }
    }
  };
  return {
    post(message: PortMessage, failed?: (error: Error) => void): void {
      pending.push({ message, failed });
      scheduled ??= setImmediate(flush);
    },
    /** Posts what waits now (the last notices before the routes are withdrawn). */
    flush(): void {
      if (scheduled) clearImmediate(scheduled);
      flush();
    },
    /** Drops what waits (the port closes: its requests are failed, never sent). */
    discard(): void {
      if (scheduled) clearImmediate(scheduled);
      scheduled = undefined;
      pending = [];
    },
  };
}

/**
 * The thread side: offers this thread's local routes (as they come and go) to the thread at the
 * other end of `port`, and answers its requests with them. Returns the way to stop offering.
 */
export function offerLocalRoutes(port: MessagePort, routes: RouteRegistry = LocalRoutes): () => void {
  const poster = batchedPoster(port);
  const announce = (subject: string, present: boolean) => {
    const callback = present ? routes.callbackOf(subject) : undefined;
    poster.post({ kind: 'route', subject, present, ...(callback ? { callback } : {}) });
  };
  // A route registered for its own thread only stays there (present or gone alike).
  routes.crossingSubjects().forEach((subject) => announce(subject, true));
  const stop = routes.onChange((subject, present, crossesThreads) => crossesThreads && announce(subject, present));
  // An interim answer is an early word only: lost, not failed, when it cannot be cloned (the reply still comes).
  const tell = (id: number, data: unknown) => poster.post({ kind: 'told', id, data });
  const answer = (m: PortMessage) => {
    if (m.kind !== 'request') return;
    const handler = routes.get(m.subject);
    const payload = withCallback(m.payload, routes.callbackOf(m.subject), (data) => tell(m.id, data));
    const answered = handler
      ? m.traceparent
        ? withContext(contextOf(m.traceparent), () => handler(payload))
        : handler(payload)
      : Promise.reject(new WorkgateError('unavailable', `no service answers on ${m.subject}`));
    // An error whose details cannot be cloned still answers, as `internal`.
    const fail = (error: unknown) =>
      poster.post({ kind: 'reply', id: m.id, ok: false, error: toWireError(error) }, () =>
        poster.post({ kind: 'reply', id: m.id, ok: false, error: toWireError(undefined) }),
      );
    // An answer that cannot be cloned fails as `internal`, as any unexpected failure.
    answered.then((data) => poster.post({ kind: 'reply', id: m.id, ok: true, data }, fail), fail);
  };
  port.on('message', (batch: PortMessage[]) => batch.forEach(answer));
  return () => {
    stop();
    routes.crossingSubjects().forEach((subject) => announce(subject, false));
    poster.flush();
  };
}

/** An object payload (a clone may come from another realm: not tested as a plain object). */
const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The payload with its callback field restored as a function that tells the caller's thread. */
function withCallback(payload: unknown, field: string | undefined, told: (data: unknown) => void): unknown {
  return field && isRecord(payload) ? { ...payload, [field]: told } : payload;
}

/** The payload without its callback field (a function cannot be cloned), and that callback. */
function splitCallback(payload: unknown, field: string | undefined): { sent: unknown; told?: (data: unknown) => void } {
  if (!field || !isRecord(payload)) return { sent: payload };
  const { [field]: callback, ...sent } = payload;
  if (typeof callback !== 'function') return { sent: payload };
  return { sent, told: (data) => void Reflect.apply(callback, undefined, [data]) };
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
  const poster = batchedPoster(port);
  const withdraw = (subject: string) => {
    const handler = offered.get(subject);
    if (!handler) return;
    routes.unregister(subject, handler);
    offered.delete(subject);
  };
  const receive = (m: PortMessage) => {
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
          const traceparent = currentTraceparent();
          const request = { kind: 'request', id, subject: m.subject, payload: sent } as const;
          poster.post(traceparent ? { ...request, traceparent } : request, (error) => {
            waiting.delete(id);
            reject(error); // a payload that cannot be cloned, as postMessage throws it
          });
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
  };
  port.on('message', (batch: PortMessage[]) => batch.forEach(receive));
  return {
    close: () => {
      poster.discard();
      [...offered.keys()].forEach(withdraw);
      for (const w of waiting.values())
        w.reject(new WorkgateError('unavailable', 'the thread that served this request stopped'));
      waiting.clear();
      port.close();
    },
  };
}
