import { ArgumentMetadata, ValidationPipe } from '@nestjs/common';
import type { ValidationError } from 'class-validator';
import { FieldProblem, flattenValidationErrors, jsonValueProblems, WorkgateError } from '@workgate/contracts';

/**
 * The WorkgateError('validation_failed') for class-validator errors: the first problem as the
 * message, every problem as `details: [{path, message}]` (paths like `inputs.orderPaid`,
 * `evidence[0].kind`; unknown keys as `unknown key "x"`), flattened by the contracts' helper.
 */
export function validationFailed(errors: readonly ValidationError[]): WorkgateError {
  return problemsFailed(flattenValidationErrors([...errors]));
}

function problemsFailed(problems: FieldProblem[]): WorkgateError {
  if (problems.length === 0) return new WorkgateError('validation_failed', 'the request is not valid');
  const first = problems[0];
  const more = problems.length > 1 ? ` (and ${problems.length - 1} more)` : '';
  return new WorkgateError('validation_failed', `${first.path ? `${first.path}: ` : ''}${first.message}${more}`, problems);
}

const isEmptyObject = (value: unknown): boolean => {
  if (value === null || typeof value !== 'object') return false;
  for (const _ in value) return false;
  return true;
};

/**
 * The gateway's global pipe: DTOs are class-validator classes; unknown keys are refused (not
 * stripped), values are transformed to the DTO classes, and failures answer 422
 * validation_failed with `details: [{path, message}]`.
 */
export const validationPipe = new (class StrictValidationPipe extends ValidationPipe {
  /**
   * Refuses keys named like an inherited member (`toString`, `constructor`, `__proto__`, ...) in a
   * query first: Nest strips the prototype keys and class-transformer skips the others, so
   * `forbidNonWhitelisted` would never see them and they would pass silently. A JSON body was
   * checked the same way by the body parser (`installBodyParsers`), the one place every body passes.
   */
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type === 'query') {
      const problems = jsonValueProblems(value);
      if (problems.length > 0) throw problemsFailed(problems);
      // Most reads send no query: whether an empty one passes is the same every time.
      const Query = metadata.metatype;
      if (Query && this.emptyQueryPasses.has(Query) && isEmptyObject(value)) return new (Query as new () => object)();
      const transformed = await super.transform(value, metadata);
      if (Query && isEmptyObject(value) && transformed instanceof Query) this.emptyQueryPasses.add(Query);
      return transformed;
    }
    return super.transform(value, metadata);
  }

  /** Query classes an empty query was validated against and passed. */
  private readonly emptyQueryPasses = new WeakSet<object>();
})({
  whitelist: true,
  forbidNonWhitelisted: true,
  forbidUnknownValues: true,
  transform: true,
  validationError: { target: false, value: false },
  // Nest types these as its own ValidationError interface; they are class-validator's objects.
  exceptionFactory: (errors) => validationFailed(errors as unknown as ValidationError[]),
});
