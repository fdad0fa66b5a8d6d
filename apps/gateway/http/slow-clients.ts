import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import type { Readable } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { WorkgateConfig } from '@workgate/config';

/**
 * What the HTTP edge allows a client's connections (docs/operations.md, Hostile traffic): the
 * time for a request's headers and for the whole request, the slowest a body may come, the open
 * connections of one address, and how long an early refusal lingers (`lingering-close.ts`).
 */
export interface ConnectionLimits {
  headersSeconds: number;
  requestSeconds: number;
  bodyMinBytesPerSecond: number;
  connectionsPerAddress: number;
  lingerSeconds: number;
  lingerBytes: number;
}

/** The limits of a gateway's configuration (WORKGATE_HTTP_*). */
export function connectionLimits(config: WorkgateConfig): ConnectionLimits {
  return {
    headersSeconds: config.WORKGATE_HTTP_HEADERS_SECONDS,
    requestSeconds: config.WORKGATE_HTTP_REQUEST_SECONDS,
    bodyMinBytesPerSecond: config.WORKGATE_HTTP_BODY_MIN_BYTES_PER_SECOND,
    connectionsPerAddress: config.WORKGATE_HTTP_CONNECTIONS_PER_ADDRESS,
    lingerSeconds: config.WORKGATE_HTTP_LINGER_SECONDS,
    lingerBytes: config.WORKGATE_HTTP_LINGER_BYTES,
  };
}

/** The configuration's defaults, for an edge built without a configuration (the edge's own tests). */
export const DEFAULT_CONNECTION_LIMITS: ConnectionLimits = {
  headersSeconds: 10,
  requestSeconds: 60,
  bodyMinBytesPerSecond: 4096,
  connectionsPerAddress: 256,
  lingerSeconds: 5,
  lingerBytes: 16 * 1024 * 1024,
};

/**
 * How often Node looks for requests past their headers or request time. Node's default is 30 s,
 * which would let a slow client stay up to 30 s past its limit.
 */
export const CONNECTIONS_CHECK_MS = 1000;

/** A body's first seconds, in which it is not yet held to the minimum rate (a client may take a moment to start sending). */
export const BODY_GRACE_SECONDS = 5;

/**
 * Closes, at once, every connection beyond `cap` open ones from one remote address (nginx's
 * `limit_conn`): a client that opens connections and sends nothing holds at most `cap` of them.
 */
export function capConnectionsPerAddress(server: Server, cap: number): void {
  const open = new Map<string, number>();
  server.on('connection', (socket: Socket) => {
    const address = socket.remoteAddress;
    if (address === undefined) return socket.destroy();
    const count = (open.get(address) ?? 0) + 1;
    if (count > cap) return socket.destroy();
    open.set(address, count);
    socket.once('close', () => {
      const left = (open.get(address) ?? 1) - 1;
      if (left > 0) open.set(address, left);
      else open.delete(address);
    });
  });
}

/**
 * Closes a new connection that has sent nothing within `seconds`. Node's `headersTimeout` counts
 * from a request's first byte, so a connection that never sends one would otherwise stay open.
 */
export function closeSilentConnections(server: Server, seconds: number): void {
  server.on('connection', (socket: Socket) => {
    const silent = setTimeout(() => {
      if (socket.bytesRead === 0) socket.destroy();
    }, seconds * 1000);
    silent.unref();
    socket.once('close', () => clearTimeout(silent));
  });
}

const hasBody = (req: FastifyRequest) =>
  req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length']) > 0;

/**
 * A `preParsing` hook: once BODY_GRACE_SECONDS have passed, a body must have come at no less than
 * `minBytesPerSecond` on average since it began, or its connection is closed (nginx's
 * `client_body_timeout`, as a rate). Checked once a second while the body is read.
 */
export function minimumBodyRate(minBytesPerSecond: number) {
  return (
    req: FastifyRequest,
    _reply: FastifyReply,
    payload: Readable,
    done: (error: Error | null, payload?: Readable) => void,
  ): void => {
    if (!hasBody(req)) return done(null, payload);
    const socket = req.raw.socket;
    const startedAt = Date.now();
    const readBefore = socket.bytesRead;
    const check = setInterval(() => {
      const seconds = (Date.now() - startedAt) / 1000;
      if (seconds < BODY_GRACE_SECONDS) return;
      if (socket.bytesRead - readBefore < minBytesPerSecond * (seconds - BODY_GRACE_SECONDS)) socket.destroy();
    }, CONNECTIONS_CHECK_MS);
    check.unref();
    const stop = () => clearInterval(check);
    // The request closes when it is read whole, and when its connection closes.
    payload.once('end', stop);
    req.raw.once('close', stop);
    done(null, payload);
  };
}
