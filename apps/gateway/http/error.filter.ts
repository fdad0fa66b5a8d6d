import {
  ArgumentsHost,
  Catch,
  ExceptionFilter,
  HttpException,
  HttpStatus,
  Logger,
  NotFoundException,
} from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Observable, throwError } from 'rxjs';
import { ErrorCode, ErrorCodes, WorkgateError } from '@workgate/contracts';
import { BODY_LIMIT_BYTES, bodyLimitOf, tooLargeMessage } from './body';
import { KeptAnswer, REPLAYED_HEADER } from './idempotency';
import type { RouteMethods } from './methods';

/** The one error body of the HTTP API (docs/api.md, Conventions (errors)). */
export interface ErrorBody {
  error: ErrorCode;
  message: string;
  details?: unknown[];
}

export interface HttpErrorAnswer {
  status: number;
  body: ErrorBody;
  /** Set when the error is not the client's doing: the filter logs it, the body never repeats it. */
  unexpected?: unknown;
}

const INTERNAL: ErrorBody = { error: 'internal', message: 'internal error' };

/** Codes for HTTP statuses that Nest, Fastify or a library answer with on their own. */
const STATUS_CODES: Record<number, ErrorCode> = {
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'route_not_found',
  405: 'method_not_allowed',
  406: 'not_acceptable',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  422: 'validation_failed',
  429: 'rate_limited',
  503: 'unavailable',
  504: 'timeout',
};

const JSON_TYPE = 'application/json; charset=utf-8';

/** snake_case name of an HTTP status (408 -> request_timeout), for messages of statuses without a code of their own. */
function statusName(status: number): string {
  const name: string | undefined = HttpStatus[status];
  return name ? name.toLowerCase() : 'bad request';
}

/**
 * Words only an engine writes: a database's (constraint names, SQL, its connection's fate), a
 * JavaScript engine's (a stack frame, a stack overflow) or a socket's error codes. A refusal whose
 * message or details hold any is answered with its code and a generic message; the filter logs it.
 */
const ENGINE_TEXT =
  /duplicate key value|violates (?:unique|foreign key|check|not-null|exclusion) constraint|relation "[^"]*" does not exist|column "[^"]*" (?:does not exist|of relation)|permission denied for|syntax error at or near|deadlock detected|could not serialize access|terminating connection|Connection terminated|SQLSTATE|Maximum call stack size exceeded|too much recursion|\n\s+at \S.*:\d+:\d+|\b(?:ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|EHOSTUNREACH|ENOTFOUND)\b/i;

/** Whether a refusal's message or details hold an engine's words (`ENGINE_TEXT`). */
export function echoesInternals(message: string, details?: unknown[]): boolean {
  return (
    ENGINE_TEXT.test(message) ||
    (details !== undefined && details.length > 0 && ENGINE_TEXT.test(JSON.stringify(details)))
  );
}

/** What a refusal says in place of an engine's words. */
const GENERIC: Record<number, string> = {
  503: 'a service is unavailable: retry later',
  504: 'no answer in time: the write may have happened, retry with the same Idempotency-Key',
};

function fromStatus(
  status: number,
  message: string,
  bodyLimit: number,
  details?: unknown[],
  unexpected?: unknown,
): HttpErrorAnswer {
  if (status === 413) return { status, body: { error: 'payload_too_large', message: tooLargeMessage(bodyLimit) } };
  if (status >= 500 && status !== 503 && status !== 504) return { status: 500, body: INTERNAL, unexpected };
  if (status < 400 || status > 599) return { status: 500, body: INTERNAL, unexpected };
  const body: ErrorBody = { error: STATUS_CODES[status] ?? 'bad_request', message };
  if (details !== undefined && details.length > 0) body.details = details;
  return { status, body };
}

/**
 * Maps anything thrown while answering an HTTP request to a status and the error body. The one
 * place that knows HTTP statuses: WorkgateError codes through ErrorCodes, Nest HttpExceptions (and
 * Fastify's own errors, which Nest hands on as HttpExceptions) and other errors that carry a 4xx
 * status by their status, anything else to a 500 that never repeats the original. A 413 names
 * `bodyLimit`, the limit of the request's route.
 */
export function toHttpError(exception: unknown, bodyLimit = BODY_LIMIT_BYTES): HttpErrorAnswer {
  if (exception instanceof WorkgateError) {
    const status: number = ErrorCodes[exception.code];
    if (exception.code === 'internal' || (status >= 500 && status !== 503 && status !== 504)) {
      return { status: 500, body: INTERNAL, unexpected: exception };
    }
    if (echoesInternals(exception.message, exception.details)) {
      return {
        status,
        body: { error: exception.code, message: GENERIC[status] ?? statusName(status).replace(/_/g, ' ') },
        unexpected: exception,
      };
    }
    const body: ErrorBody = { error: exception.code, message: exception.message };
    if (exception.details !== undefined) body.details = exception.details;
    return { status, body };
  }

  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    const response = exception.getResponse();
    const raw = typeof response === 'string' ? response : 'message' in response ? response.message : undefined;
    if (status === 400 && Array.isArray(raw)) {
      // A ValidationPipe without our exception factory: a list of messages.
      const details = raw.map((message) => ({ path: '', message: String(message) }));
      return {
        status: 422,
        body: { error: 'validation_failed', message: String(raw[0] ?? 'validation failed'), details },
      };
    }
    const said = typeof raw === 'string' ? raw : exception.message;
    const message = status < 500 && echoesInternals(said) ? statusName(status).replace(/_/g, ' ') : said;
    // A response object of another shape (e.g. the health check's report) travels as details.
    const standard =
      typeof response === 'string' ||
      Object.keys(response).every((k) => k === 'statusCode' || k === 'message' || k === 'error');
    // Nest's unknown-route answer (`Cannot GET /path?query`) keeps the path, not the query string (tokens travel there).
    return fromStatus(
      status,
      status === 404 ? message.replace(/\?\S*/, '') : message,
      bodyLimit,
      standard ? undefined : [response],
      exception,
    );
  }

  if (exception instanceof Error || (typeof exception === 'object' && exception !== null)) {
    // http-errors and the like: plain errors with status/statusCode and expose.
    // Their fields may sit on the prototype (http-errors' classes), so they are read as `err.x` would.
    const field = (name: 'status' | 'statusCode' | 'expose' | 'message'): unknown => Reflect.get(exception, name);
    const [said, saidCode] = [field('status'), field('statusCode')];
    const status = typeof said === 'number' ? said : typeof saidCode === 'number' ? saidCode : undefined;
    if (status !== undefined && status >= 400 && status < 500) {
      const text = field('message');
      const message =
        field('expose') !== false && typeof text === 'string' ? text : statusName(status).replace(/_/g, ' ');
      return fromStatus(status, message, bodyLimit);
    }
  }

  if (databaseUnreachable(exception))
    return { status: 503, body: { error: 'unavailable', message: GENERIC[503] }, unexpected: exception };
  return { status: 500, body: INTERNAL, unexpected: exception };
}

/**
 * SQLSTATEs and socket codes of a database the gateway could not reach or that went away mid-answer
 * (class 08 connection exceptions; 57P01-57P03 a server shutting down or starting; 25006 a primary
 * demoted to read-only under the gateway's session): a failover, not a bug, so 503 and retry.
 */
const DATABASE_GONE = new Set([
  '08000',
  '08001',
  '08003',
  '08004',
  '08006',
  '57P01',
  '57P02',
  '57P03',
  '25006',
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
]);
const DATABASE_GONE_TEXT =
  /^(?:no host of the database URL took|Connection terminated|timeout expired|Client has encountered a connection error)/;

/** Whether an error is the database being out of reach (`DATABASE_GONE`), for a 503 instead of a 500. */
export function databaseUnreachable(exception: unknown): boolean {
  if (typeof exception !== 'object' || exception === null) return false;
  const code: unknown = Reflect.get(exception, 'code');
  const message: unknown = Reflect.get(exception, 'message');
  return (
    (typeof code === 'string' && DATABASE_GONE.has(code)) ||
    (typeof message === 'string' && DATABASE_GONE_TEXT.test(message))
  );
}

/** The matched route's template (`/v1/work-orders/:id`), or `(no route)` when none matched. */
export function routeTemplate(req: FastifyRequest | undefined): string {
  const path = req?.routeOptions?.url;
  return typeof path === 'string' ? path : '(no route)';
}

/**
 * The gateway's one exception filter. HTTP errors answer in the API's error body (docs/api.md, Conventions (errors)), and
 * a replayed write its kept answer; an RPC error (the gateway's NATS side) is handed on unchanged, as PassThroughRpcFilter does.
 */
@Catch()
export class GatewayErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('http');

  /** `methods`: the gateway's paths and their methods, so that a known path with another method is 405, not 404. */
  constructor(private readonly methods?: RouteMethods) {}

  catch(exception: unknown, host: ArgumentsHost): Observable<never> | void {
    if (host.getType() !== 'http') return throwError(() => exception);
    const http = host.switchToHttp();
    const reply = http.getResponse<FastifyReply>();
    const req = http.getRequest<FastifyRequest>();
    if (exception instanceof KeptAnswer) {
      // A write sent again with its Idempotency-Key: its first answer, as it answered then.
      reply.header(REPLAYED_HEADER, 'true').code(exception.status).send(exception.reply);
      return;
    }
    // No route matched: a known path with a method it does not take is 405 (OPTIONS: 204), not 404.
    const refusal =
      exception instanceof NotFoundException && req?.routeOptions?.url === undefined
        ? this.methods?.refusal(req, reply)
        : undefined;
    if (refusal === 'answered') {
      reply.code(204).send();
      return;
    }
    const { status, body, unexpected } = toHttpError(refusal ?? exception, bodyLimitOf(req));
    if (status === 500 || unexpected !== undefined) {
      const stack = unexpected instanceof Error ? unexpected.stack : String(unexpected);
      // The route's template, never the URL: a query string or path may carry a secret.
      this.logger.error(`${req?.method} ${routeTemplate(req)} failed: answered ${status}`, stack);
    }
    if (reply.sent || reply.raw.headersSent) {
      if (!reply.raw.writableEnded) reply.raw.end();
      return;
    }
    if (status === 401) reply.header('WWW-Authenticate', 'Bearer realm="workgate"');
    if (body.error === 'not_caught_up' || body.error === 'unavailable') reply.header('Retry-After', '1');
    reply.code(status).type(JSON_TYPE).send(body);
  }
}
