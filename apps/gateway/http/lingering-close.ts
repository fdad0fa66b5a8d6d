import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';

/** How long and how much of a refused body is read and discarded before its connection closes. */
export interface LingerLimits {
  lingerSeconds: number;
  lingerBytes: number;
}

/** Connections answered for the last time, still reading the rest of a refused request. */
const lingering = new WeakSet<Socket>();

/**
 * Lingering close (nginx's `lingering_close`, Go's net/http): a request refused before its body
 * was read is answered with `Connection: close`, and Node would close its connection as soon as
 * the answer is written. A client still sending its body (Node's `fetch` writes the body before it
 * reads) then meets a reset and may lose the answer (EPIPE). Instead, once the answer is written the
 * connection is half-closed (the client sees the end of the answer) and the rest of the request is
 * read and discarded — until the request is whole, the client closes, `lingerBytes` more bytes
 * came or `lingerSeconds` passed — and only then closed. Call before the answer is sent.
 */
export function lingerAfterAnswer(req: IncomingMessage, limits: LingerLimits): void {
  const socket = req.socket;
  // The body is discarded from now on, never parsed. Left unread, it would fill the request's
  // buffer, and Node would stop reading the connection in a way the discarding after the answer
  // does not always restart.
  req.resume();
  // Node ends the connection of an answer with `Connection: close` through its socket's destroySoon.
  socket.destroySoon = () => linger(socket, req, limits);
}

function linger(socket: Socket, req: IncomingMessage, { lingerSeconds, lingerBytes }: LingerLimits): void {
  if (socket.writable) socket.end();
  // The request came whole: nothing is left to read.
  if (req.complete) {
    if (socket.writableFinished) socket.destroy();
    else socket.once('finish', () => socket.destroy());
    return;
  }
  lingering.add(socket);
  let discarded = 0;
  const close = () => {
    clearTimeout(timer);
    socket.destroy();
  };
  const timer = setTimeout(close, lingerSeconds * 1000);
  timer.unref();
  // The body is flowing since the refusal (`lingerAfterAnswer`): its end is the end of the request.
  req.once('end', close);
  req.on('data', (chunk: Buffer) => {
    discarded += chunk.length;
    if (discarded > lingerBytes) close();
  });
  socket.once('close', () => clearTimeout(timer));
}

/**
 * An `onRequest` hook, the edge's first: a request that comes on a lingering connection (pipelined
 * after the refused one) is never served — the answer before it said the connection closes.
 */
export function refuseOnLingeringConnection(
  req: FastifyRequest,
  _reply: FastifyReply,
  done: HookHandlerDoneFunction,
): void {
  if (!lingering.has(req.raw.socket)) return done();
  req.raw.socket.destroy();
}
