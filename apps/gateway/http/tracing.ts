import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import { contextOf, openSpan, SpanKind, tracingEnabled, withContext } from '@workgate/messaging';
import { routeTemplate } from './error.filter';

const header = (req: FastifyRequest, name: string) =>
  typeof req.headers[name] === 'string' ? req.headers[name] : undefined;

/**
 * With tracing on, each request is a server span in the caller's trace (W3C `traceparent`), named
 * by its route's template (never the URL); what the gateway asks the services is done in it.
 * An `onRequest` hook: the rest of the request runs in the span's context.
 */
export function traceRequests(req: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction): void {
  if (!tracingEnabled()) return done();
  const open = openSpan(`${req.method}`, {
    kind: SpanKind.SERVER,
    parent: contextOf(header(req, 'traceparent'), header(req, 'tracestate')),
    attributes: { 'http.request.method': req.method, 'workgate.service': 'gateway' },
  })!;
  let ended = false;
  const res = reply.raw;
  const end = () => {
    if (ended) return;
    ended = true;
    const route = routeTemplate(req);
    open.span.updateName(`${req.method} ${route}`);
    open.span.setAttributes({ 'http.route': route, 'http.response.status_code': res.statusCode });
    open.end(
      res.statusCode >= 500 ? `answered ${res.statusCode}` : !res.writableFinished ? 'the client went away' : undefined,
    );
  };
  // Answered, or the connection closed first (a client that gave up).
  res.on('finish', end);
  res.on('close', end);
  withContext(open.context, () => done());
}
