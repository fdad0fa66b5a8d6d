import { SetMetadata } from '@nestjs/common';
import { ApiOperation } from '@nestjs/swagger';
import { ref, Schema } from './schemas';

export const ANSWERS = 'workgate:openapi:answers';
export const REQUEST_BODY = 'workgate:openapi:request-body';
export const READ_BY_POST = 'workgate:openapi:read-by-post';

/** A POST that only reads (its body is a question): it records nothing, so it answers no Workgate-Position and takes no Idempotency-Key. */
export const ReadByPost = (): MethodDecorator => SetMetadata(READ_BY_POST, true);

/** What a route answers on success: its JSON body (a schema, or the name of one) and other media types it can answer in. */
export interface AnswerDoc {
  json?: Schema;
  /** Other representations by media type (CSV, NDJSON, HTML), chosen by `Accept`. */
  alternatives?: Record<string, Schema>;
  /** Response headers besides the consistency and idempotency ones. */
  headers?: Record<string, { description: string; schema: Schema }>;
}

/**
 * Documents a route for the OpenAPI document in one place: its summary (and longer description)
 * and what it answers. `answer` is a component schema's name, `[name]` for an array of them, or
 * a schema.
 */
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
        : 'json' in answer || 'alternatives' in answer
          ? answer
          : { json: answer as Schema };
  return (target, key, descriptor) => {
    ApiOperation({ summary, ...(description ? { description } : {}) })(target, key, descriptor);
    SetMetadata(ANSWERS, doc)(target, key, descriptor);
  };
}

/** The request body by media type, for routes that read the raw request instead of a validated DTO. */
export const RequestBody = (content: Record<string, Schema>, description?: string): MethodDecorator =>
  SetMetadata(REQUEST_BODY, { content, description });
