import { ApiOperation } from '@nestjs/swagger';
import { ref, Schema } from './schemas';

/** What a route answers on success: its JSON body (a schema, or the name of one) and other media types it can answer in. */
export interface AnswerDoc {
  json?: Schema;
  /** Other representations by media type (CSV, NDJSON, HTML), chosen by `Accept`. */
  alternatives?: Record<string, Schema>;
  /** Response headers besides the consistency and idempotency ones. */
  headers?: Record<string, { description: string; schema: Schema }>;
  /** Other success statuses and what they answer (a publish that waits for approval: 202). */
  also?: Record<string, { description: string; json: Schema }>;
}

/** A request body by media type, for routes that read the raw request instead of a validated DTO. */
export interface RequestBodyDoc {
  content: Record<string, Schema>;
  description?: string;
}

/** What the decorators below say of each route handler; only the OpenAPI document reads it. */
const answers = new WeakMap<object, AnswerDoc>();
const requestBodies = new WeakMap<object, RequestBodyDoc>();
const readsByPost = new WeakSet<object>();
const summaries = new WeakMap<object, string>();

export const answerOf = (handler: object): AnswerDoc | undefined => answers.get(handler);
export const requestBodyOf = (handler: object): RequestBodyDoc | undefined => requestBodies.get(handler);
export const isReadByPost = (handler: object): boolean => readsByPost.has(handler);
/** A documented route's summary ("Decide an approval"); a refusal of its role says it (http/role-refusal.ts). */
export const summaryOf = (handler: object): string | undefined => summaries.get(handler);

/** A POST that only reads (its body is a question): it records nothing, so it answers no Workgate-Position and takes no Idempotency-Key. */
export const ReadByPost =
  (): MethodDecorator =>
  (_target, _key, descriptor): void => {
    readsByPost.add(handlerOf(descriptor));
  };

/** The handler a method decorator decorates. */
function handlerOf<T>(descriptor: TypedPropertyDescriptor<T>): object {
  const handler: unknown = descriptor.value;
  if (typeof handler !== 'function') throw new Error('a route decorator goes on a method');
  return handler;
}

const isAnswerDoc = (answer: Schema | AnswerDoc): answer is AnswerDoc => 'json' in answer || 'alternatives' in answer;

/**
 * Documents a route for the OpenAPI document in one place: its summary (and longer description)
 * and what it answers. `answer` is a component schema's name, `[name]` for an array of them, or
 * a schema.
 */
/** A paged list's answer (docs/api.md, Conventions): an array of `item` rows, and `Link: rel="next"` when `more`. */
export function pagedList(item: string, more: string): AnswerDoc {
  return {
    json: { type: 'array', items: ref(item) },
    headers: {
      Link: { description: `\`<…&after=CURSOR>; rel="next"\` when ${more}`, schema: { type: 'string' } },
    },
  };
}

export function Documented(
  summary: string,
  answer: string | [string] | Schema | AnswerDoc,
  description?: string,
): MethodDecorator {
  const doc: AnswerDoc =
    typeof answer === 'string'
      ? { json: ref(answer) }
      : Array.isArray(answer)
        ? { json: { type: 'array', items: ref(answer[0]) } }
        : isAnswerDoc(answer)
          ? answer
          : { json: answer };
  return (target, key, descriptor) => {
    ApiOperation({ summary, ...(description ? { description } : {}) })(target, key, descriptor);
    answers.set(handlerOf(descriptor), doc);
    summaries.set(handlerOf(descriptor), summary);
  };
}

/** The request body by media type, for routes that read the raw request instead of a validated DTO. */
export const RequestBody =
  (content: Record<string, Schema>, description?: string): MethodDecorator =>
  (_target, _key, descriptor): void => {
    requestBodies.set(handlerOf(descriptor), { content, description });
  };
