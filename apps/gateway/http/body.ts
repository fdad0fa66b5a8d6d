import { isUtf8 } from 'node:buffer';
import type { Readable, Transform } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  duplicateKeyProblem,
  FieldProblem,
  inexactNumberProblems,
  JsonShape,
  jsonValueProblems,
  WorkgateError,
} from '@workgate/contracts';

/** The largest request body accepted (docs/api.md, Conventions (bodies)): 1 MiB; larger answers 413 payload_too_large. */
export const BODY_LIMIT_BYTES = 1024 * 1024;

/** The message of a 413 for a route whose limit is `limit` bytes. */
export function tooLargeMessage(limit: number = BODY_LIMIT_BYTES): string {
  return `the request body is larger than ${limit} bytes (${sizeInWords(limit)})`;
}

/** YAML media types, read as text (a workflow definition may be published as YAML). */
export const YAML_MEDIA_TYPES = ['application/yaml', 'text/yaml', 'application/x-yaml'];

/** Routes whose body is kept as the bytes it came as, whatever its type (`@RouteConfig({ rawBody: true })`). */
export interface RawBodyRoute {
  rawBody?: boolean;
}

/**
 * A route whose bodies are smaller than BODY_LIMIT_BYTES (`@RouteConfig({ bodyLimit })`): a larger
 * one is 413 before it is read (from its Content-Length) or as soon as it grows past the limit.
 */
export interface BodyLimitRoute {
  bodyLimit?: number;
}

declare module 'fastify' {
  /** What a route's config (`@RouteConfig`) may say about its body. */
  interface FastifyContextConfig {
    rawBody?: RawBodyRoute['rawBody'];
    bodyLimit?: BodyLimitRoute['bodyLimit'];
  }
}

/** The limit on a request's body: its route's (`BodyLimitRoute`), else BODY_LIMIT_BYTES. */
export function bodyLimitOf(req: FastifyRequest | undefined): number {
  const limit = req?.routeOptions?.bodyLimit;
  return typeof limit === 'number' && limit > 0 ? limit : BODY_LIMIT_BYTES;
}

/** `1 MiB`, `256 KiB`, or the bytes: how a limit reads in a message. */
export function sizeInWords(bytes: number): string {
  if (bytes % (1024 * 1024) === 0) return `${bytes / (1024 * 1024)} MiB`;
  if (bytes % 1024 === 0) return `${bytes / 1024} KiB`;
  return `${bytes} bytes`;
}

/**
 * Problems of a parsed JSON body (`jsonValueProblems`: inherited names as keys, nesting deeper
 * than MAX_DEPTH, too many keys or values, U+0000 or unpaired surrogates, numbers that cannot be
 * kept exactly) and, given its text, the numbers a parse rounded. Iterative: a deeply nested
 * body cannot overflow the stack here. `shape` counts the body's object members as it walks.
 */
export function bodyProblems(body: unknown, text?: string, shape?: JsonShape): FieldProblem[] {
  const problems = jsonValueProblems(body, '', 20, shape);
  return problems.length === 0 && text !== undefined ? inexactNumberProblems(text, body) : problems;
}

/** `type/subtype` of a Content-Type, lower case, and its charset parameter when it has one. */
function mediaType(header: string | undefined): { type: string; charset?: string } {
  const [type, ...params] = (header ?? '').split(';');
  let charset: string | undefined;
  for (const param of params) {
    const eq = param.indexOf('=');
    if (eq > 0 && param.slice(0, eq).trim().toLowerCase() === 'charset')
      charset = param
        .slice(eq + 1)
        .trim()
        .replace(/^"(.*)"$/, '$1');
  }
  return { type: type.trim().toLowerCase(), charset };
}

const isJsonType = (type: string) =>
  type === 'application/json' || (type.startsWith('application/') && type.endsWith('+json'));
const isUtf8Charset = (charset: string | undefined) => charset === undefined || /^utf-?8$/i.test(charset);

/**
 * A JSON parser's message without the excerpt of the body that V8 quotes in it
 * (`Unexpected token 'p', "{"a": password=…"... is not valid JSON`): the body may hold a secret.
 */
export function withoutExcerpt(message: string): string {
  const quote = message.indexOf('"');
  return (quote < 0 ? message : message.slice(0, quote)).replace(/[\s,.]+$/, '') || 'syntax error';
}

/**
 * A JSON body, parsed and checked: an object or an array of UTF-8 text, with nothing
 * `bodyProblems` refuses (422) and no key twice in one object (400 malformed_json naming the key
 * and, in `details`, its path: a parse would keep the last value silently).
 */
export function parseJsonBody(bytes: Buffer): unknown {
  if (!isUtf8(bytes)) throw new WorkgateError('malformed_json', 'the body is not valid UTF-8');
  const text = bytes.toString('utf8');
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (error) {
    throw new WorkgateError(
      'malformed_json',
      `the request body is not valid JSON: ${withoutExcerpt((error as Error).message)}`,
    );
  }
  if (body === null || typeof body !== 'object')
    throw new WorkgateError('malformed_json', 'the request body is not valid JSON: it must be an object or an array');
  const shape: JsonShape = { keys: 0 };
  const problems = bodyProblems(body, text, shape);
  if (problems.length > 0) {
    const first = problems[0];
    const where = first.path === '' || first.path.length > 80 ? 'body' : first.path;
    throw new WorkgateError('validation_failed', `${where}: ${first.message}`, problems);
  }
  const duplicate = duplicateKeyProblem(text, shape.keys);
  if (duplicate)
    throw new WorkgateError('malformed_json', `the request body is not valid JSON for this API: ${duplicate.message}`, [
      duplicate,
    ]);
  return body;
}

/**
 * The body of a request, as the gateway reads every one (its only parser):
 * - a route marked `rawBody` (CloudEvents over HTTP, in any mode of the binding; malformed ones
 *   are kept as rejections by intake, exactly as on WORK_EVENTS) gets the bytes as they came;
 * - JSON (application/json and every `+json` type, CloudEvents included) in UTF-8, checked by
 *   `parseJsonBody` (422 naming the path of what it refuses);
 * - YAML (a workflow definition) as text;
 * - anything else is 415 unsupported_media_type. Nothing is read past 1 MiB or the route's own
 *   smaller limit (`BodyLimitRoute`: 413), compressed bodies included (`inflateBody`).
 */
export function installBodyParser(fastify: FastifyInstance): void {
  // A route's own, smaller limit (`BodyLimitRoute`) becomes Fastify's limit for that route.
  fastify.addHook('onRoute', (route) => {
    const limit = route.config?.bodyLimit;
    if (limit !== undefined && limit < BODY_LIMIT_BYTES) route.bodyLimit = limit;
  });
  fastify.addHook('preParsing', inflateBody);
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser(
    '*',
    { parseAs: 'buffer', bodyLimit: BODY_LIMIT_BYTES },
    (req: FastifyRequest, bytes: Buffer, done: (error: Error | null, body?: unknown) => void) => {
      try {
        done(null, readBody(req, bytes));
      } catch (error) {
        done(error as Error);
      }
    },
  );
}

/** The Content-Encodings a body may come in, and what decodes each. */
const DECODERS: Record<string, () => Transform> = {
  gzip: createGunzip,
  'x-gzip': createGunzip,
  deflate: createInflate,
  br: createBrotliDecompress,
};

/**
 * A body sent compressed (`Content-Encoding: gzip`, `deflate` or `br`) is read decoded (a
 * `preParsing` hook): the 1 MiB limit is on what is parsed, so a small body that inflates past it
 * is refused (413) and decoding stops there. Any other encoding is 415.
 */
export function inflateBody(
  req: FastifyRequest,
  _reply: FastifyReply,
  payload: Readable,
  done: (error: Error | null, payload?: Readable) => void,
): void {
  const encoding = String(req.headers['content-encoding'] ?? 'identity')
    .trim()
    .toLowerCase();
  if (encoding === 'identity' || encoding === '') return done(null, payload);
  // A request without a body has nothing to decode, whatever it says its encoding is.
  if (req.headers['transfer-encoding'] === undefined && !(Number(req.headers['content-length']) > 0))
    return done(null, payload);
  const decoder = DECODERS[encoding];
  if (!decoder)
    return done(
      new WorkgateError(
        'unsupported_media_type',
        `unsupported content encoding "${encoding.slice(0, 40)}": send gzip, deflate, br or none`,
      ),
    );
  const decoded = decoder();
  // The parser answers a body that cannot be decoded (400); one that no parser reads (a request
  // answered before its body is, an unknown route) fails here, and must not fail the process.
  decoded.on('error', () => undefined);
  const limit = bodyLimitOf(req);
  let encodedBytes = 0;
  let decodedBytes = 0;
  // The bytes that came (checked against Content-Length by the parser), not the bytes decoded.
  Object.defineProperty(decoded, 'receivedEncodedLength', { get: () => encodedBytes });
  payload.on('data', (chunk: Buffer) => (encodedBytes += chunk.length));
  decoded.on('data', (chunk: Buffer) => {
    decodedBytes += chunk.length;
    if (decodedBytes <= limit) return;
    // The parser answers 413 on this chunk; nothing more is decoded, and the rest of the upload drains.
    payload.unpipe(decoded);
    payload.resume();
    decoded.destroy();
  });
  payload.pipe(decoded);
  done(null, decoded);
}

function readBody(req: FastifyRequest, bytes: Buffer): unknown {
  // No route takes it (an unknown path answers 404 or 405 whatever it holds): it is not parsed.
  if (req.is404) return undefined;
  if (req.routeOptions.config?.rawBody) return bytes;
  const { type, charset } = mediaType(req.headers['content-type']);
  if (isJsonType(type)) {
    if (!isUtf8Charset(charset))
      throw new WorkgateError('unsupported_media_type', `unsupported charset "${charset!.toUpperCase()}"`);
    // An empty body with a JSON type (a client that always sends the header) reads as `{}`.
    return bytes.length === 0 ? {} : parseJsonBody(bytes);
  }
  if (YAML_MEDIA_TYPES.includes(type)) {
    if (!isUtf8Charset(charset))
      throw new WorkgateError('unsupported_media_type', `unsupported charset "${charset!.toUpperCase()}"`);
    if (!isUtf8(bytes)) throw new WorkgateError('validation_failed', 'the body is not valid UTF-8');
    return bytes.toString('utf8');
  }
  throw new WorkgateError(
    'unsupported_media_type',
    `a body of type "${type || '(none)'}" is not read here: send application/json`,
  );
}
