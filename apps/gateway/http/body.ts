import type { NestExpressApplication } from '@nestjs/platform-express';
import { json, NextFunction, raw, Request, Response, text } from 'express';
import { WorkgateError } from '@workgate/contracts';
import { toHttpError } from './error.filter';

/** The largest request body accepted (SPEC section 3): 1 MiB; larger answers 413 payload_too_large. */
export const BODY_LIMIT_BYTES = 1024 * 1024;

/** JSON media types parsed: plain JSON, CloudEvents structured and batch mode, and any other `+json`. */
export const JSON_MEDIA_TYPES = ['application/json', 'application/cloudevents+json', 'application/cloudevents-batch+json', 'application/*+json'];

/** YAML media types, read as text (a workflow definition may be published as YAML). */
export const YAML_MEDIA_TYPES = ['application/yaml', 'text/yaml', 'application/x-yaml'];

/** Keys refused at any depth: merged into an object they could reach Object.prototype. */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** Deeper nesting is refused so that no later recursive walk (class-transformer, canonical JSON) can overflow the stack. */
export const MAX_BODY_DEPTH = 64;

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

function childPath(parent: string, key: string | number): string {
  if (typeof key === 'number') return `${parent}[${key}]`;
  if (!IDENTIFIER.test(key)) return `${parent}[${JSON.stringify(key)}]`;
  return parent === '' ? key : `${parent}.${key}`;
}

/**
 * Problems of a parsed JSON body: forbidden keys (own keys named __proto__, constructor or
 * prototype, which JSON.parse creates as plain own properties) and nesting deeper than
 * MAX_BODY_DEPTH. Iterative, so a deeply nested body cannot overflow the stack here.
 */
export function bodyProblems(body: unknown, maxProblems = 20): { path: string; message: string }[] {
  const problems: { path: string; message: string }[] = [];
  const stack: { value: unknown; path: string; depth: number }[] = [{ value: body, path: '', depth: 0 }];
  while (stack.length > 0 && problems.length < maxProblems) {
    const { value, path, depth } = stack.pop()!;
    if (value === null || typeof value !== 'object') continue;
    if (depth >= MAX_BODY_DEPTH) {
      problems.push({ path, message: `the body nests deeper than ${MAX_BODY_DEPTH} levels` });
      continue;
    }
    if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) stack.push({ value: value[i], path: childPath(path, i), depth: depth + 1 });
      continue;
    }
    const keys = Object.keys(value);
    for (let i = keys.length - 1; i >= 0; i--) {
      const key = keys[i];
      if (FORBIDDEN_KEYS.has(key)) {
        problems.push({ path: childPath(path, key), message: `key "${key}" is not allowed` });
        continue;
      }
      stack.push({ value: (value as Record<string, unknown>)[key], path: childPath(path, key), depth: depth + 1 });
    }
  }
  return problems;
}

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
  const parser = json({ limit: BODY_LIMIT_BYTES, type: JSON_MEDIA_TYPES, strict: true });
  app.use((req: Request, res: Response, next: NextFunction) => {
    parser(req, res, (error?: unknown) => {
      if (error) return next(translate(error));
      if (req.body !== undefined && req.body !== null && typeof req.body === 'object') {
        const problems = bodyProblems(req.body);
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
