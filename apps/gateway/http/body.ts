import type { NestExpressApplication } from '@nestjs/platform-express';
import { json, NextFunction, raw, Request, Response, text } from 'express';
import { isUtf8 } from 'node:buffer';
import { FieldProblem, inexactNumberProblems, jsonValueProblems, WorkgateError } from '@workgate/contracts';
import { toHttpError } from './error.filter';

/** The largest request body accepted (SPEC section 3): 1 MiB; larger answers 413 payload_too_large. */
export const BODY_LIMIT_BYTES = 1024 * 1024;

/** JSON media types parsed: plain JSON, CloudEvents structured and batch mode, and any other `+json`. */
export const JSON_MEDIA_TYPES = ['application/json', 'application/cloudevents+json', 'application/cloudevents-batch+json', 'application/*+json'];

/** YAML media types, read as text (a workflow definition may be published as YAML). */
export const YAML_MEDIA_TYPES = ['application/yaml', 'text/yaml', 'application/x-yaml'];

/**
 * Problems of a parsed JSON body (`jsonValueProblems`: inherited names as keys, nesting deeper
 * than MAX_DEPTH, too many keys or values, U+0000 or unpaired surrogates, numbers that cannot be
 * kept exactly) and, given its text, the numbers a parse rounded. Iterative: a deeply nested
 * body cannot overflow the stack here.
 */
export function bodyProblems(body: unknown, text?: string): FieldProblem[] {
  const problems = jsonValueProblems(body);
  return problems.length === 0 && text !== undefined ? inexactNumberProblems(text, body) : problems;
}

/** The body's bytes as the JSON parser read them (kept only while the request is checked). */
const RAW = Symbol('raw body');
type WithRaw = Request & { [RAW]?: Buffer };

/** A body-parser error as the WorkgateError it means (413, 415, 400 malformed_json, ...). */
function translate(error: unknown): unknown {
  const answer = toHttpError(error);
  if (answer.status >= 500) return error; // not the client's doing: the filter logs it and answers 500
  if (answer.body.error === 'payload_too_large') {
    return new WorkgateError('payload_too_large', `the request body is larger than ${BODY_LIMIT_BYTES} bytes (1 MiB)`);
  }
  return new WorkgateError(answer.body.error, answer.body.message, answer.body.details);
}

/**
 * Installs the gateway's only body parsers: JSON (application/json and every `+json` type,
 * CloudEvents included) up to 1 MiB, with __proto__ / constructor / prototype keys refused at
 * any depth (422 validation_failed naming the path). Nothing else is parsed (no urlencoded).
 *
 * The app MUST be created with `NestFactory.create(module, { bodyParser: false })`: otherwise
 * Nest installs its own parsers (100 kB limit, no key checks) and they run first.
 */
export function installBodyParsers(app: NestExpressApplication): void {
  // CloudEvents over HTTP reach intake as the bytes they came as (any mode of the binding; malformed
  // ones are kept as rejections there, exactly as on WORK_EVENTS): read, not parsed, up to 1 MiB.
  const bytes = raw({ limit: BODY_LIMIT_BYTES, type: () => true });
  app.use('/v1/events', (req: Request, res: Response, next: NextFunction) => bytes(req, res, (error?: unknown) => next(error ? translate(error) : undefined)));
  const yaml = text({ limit: BODY_LIMIT_BYTES, type: YAML_MEDIA_TYPES });
  app.use((req: Request, res: Response, next: NextFunction) => yaml(req, res, (error?: unknown) => next(error ? translate(error) : undefined)));
  const parser = json({
    limit: BODY_LIMIT_BYTES,
    type: JSON_MEDIA_TYPES,
    strict: true,
    // JSON is UTF-8: bytes that are not are refused, never read as U+FFFD.
    verify: (req: WithRaw, _res, buf) => {
      if (!isUtf8(buf)) throw new WorkgateError('malformed_json', 'the body is not valid UTF-8');
      req[RAW] = buf;
    },
  });
  app.use((req: Request, res: Response, next: NextFunction) => {
    parser(req, res, (error?: unknown) => {
      const raw = (req as WithRaw)[RAW];
      delete (req as WithRaw)[RAW];
      if (error) return next(error instanceof WorkgateError ? error : translate(error));
      // Raw bytes (a CloudEvents body, read above) are checked by intake once decoded.
      if (req.body !== undefined && req.body !== null && typeof req.body === 'object' && !Buffer.isBuffer(req.body)) {
        const problems = bodyProblems(req.body, raw?.toString('utf8'));
        if (problems.length > 0) {
          // Drop the body so nothing downstream ever sees (or merges) it.
          req.body = undefined;
          const first = problems[0];
          const where = first.path === '' || first.path.length > 80 ? 'body' : first.path;
          return next(new WorkgateError('validation_failed', `${where}: ${first.message}`, problems));
        }
      }
      next();
    });
  });
}
