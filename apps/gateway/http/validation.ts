import { ArgumentMetadata, Type, ValidationPipe } from '@nestjs/common';
import { getMetadataStorage, type ValidationError } from 'class-validator';
import {
  FieldProblem,
  flattenValidationErrors,
  isPlainObject,
  jsonValueProblems,
  plainStandsIn,
  vouchesFor,
  WorkgateError,
} from '@workgate/contracts';

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
  return new WorkgateError(
    'validation_failed',
    `${first.path ? `${first.path}: ` : ''}${first.message}${more}`,
    problems,
  );
}

const isEmptyObject = (value: unknown): boolean => {
  if (value === null || typeof value !== 'object') return false;
  for (const _ in value) return false;
  return true;
};

/**
 * The gateway's global pipe: DTOs are class-validator classes; unknown keys are refused (not
 * stripped), values are transformed to the DTO classes (a valid body whose plain JSON holds the
 * same as the instance would is passed as it is), and failures answer 422 validation_failed with
 * `details: [{path, message}]`.
 */
export const validationPipe = new (class StrictValidationPipe extends ValidationPipe {
  /**
   * Refuses keys named like an inherited member (`toString`, `constructor`, `__proto__`, ...) in a
   * query first: Nest strips the prototype keys and class-transformer skips the others, so
   * `forbidNonWhitelisted` would never see them and they would pass silently. A JSON body was
   * checked the same way by the body parser (`installBodyParser`), the one place every body passes.
   */
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type === 'query') {
      const problems = jsonValueProblems(value);
      if (problems.length > 0) throw problemsFailed(problems);
      // Most reads send no query: whether an empty one passes is the same every time.
      const Query: Type<unknown> | undefined = metadata.metatype;
      if (Query && this.emptyQueryPasses.has(Query) && isEmptyObject(value)) return new Query();
      const transformed: unknown = await super.transform(value, metadata);
      if (Query && isEmptyObject(value) && transformed instanceof Query) this.emptyQueryPasses.add(Query);
      return transformed;
    }
    // A valid body whose DTO the plain JSON stands in for is used as it is: no copy into class
    // instances, no second walk. Any other body, and every invalid one, goes the whole way.
    const Body = metadata.metatype;
    if (metadata.type === 'body' && Body && isPlainObject(value) && plainStandsIn(Body) && vouchesFor(Body, value))
      return value;
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
  exceptionFactory: (errors) => validationFailed(errors),
});

type Storage = ReturnType<typeof getMetadataStorage>;
type Rules = ReturnType<Storage['getTargetValidationMetadatas']>;
/** A class validated against (class-validator's own name for it). */
type Target = Parameters<Storage['getTargetValidationMetadatas']>[0];
/** The storages whose lookups are kept already. */
const cached = new WeakSet<Storage>();

/**
 * class-validator looks a class's rules up on every validation, scanning every class that has rules
 * for the ones it inherits, and groups them by property again. The rules are fixed once the DTO
 * classes are loaded, so each lookup and grouping is kept, and all are forgotten whenever a rule or
 * constraint is added. Validation answers exactly as without it (the lookups are pure).
 */
export function cacheValidationRules(storage: Storage = getMetadataStorage()): void {
  if (cached.has(storage)) return;
  cached.add(storage);
  let rules = new Map<Target, Map<string, Rules>>();
  /** The grouping of each lookup's answer, made with it (an array from elsewhere may change: it is grouped afresh). */
  let grouped = new WeakMap<Rules, ReturnType<Storage['groupByPropertyName']>>();
  const forget = () => {
    rules = new Map<Target, Map<string, Rules>>();
    grouped = new WeakMap<Rules, ReturnType<Storage['groupByPropertyName']>>();
  };
  const lookUp = storage.getTargetValidationMetadatas.bind(storage);
  const group = storage.groupByPropertyName.bind(storage);
  const addRule = storage.addValidationMetadata.bind(storage);
  const addConstraint = storage.addConstraintMetadata.bind(storage);
  storage.addValidationMetadata = (metadata) => (forget(), addRule(metadata));
  storage.addConstraintMetadata = (metadata) => (forget(), addConstraint(metadata));
  storage.getTargetValidationMetadatas = (cls, schema, always, strictGroups, groups) => {
    const key = `${schema}\u0000${always}\u0000${strictGroups}\u0000${groups?.join('\u0000') ?? ''}`;
    let byOptions = rules.get(cls);
    if (!byOptions) rules.set(cls, (byOptions = new Map<string, Rules>()));
    let found = byOptions.get(key);
    if (!found) {
      byOptions.set(key, (found = lookUp(cls, schema, always, strictGroups, groups)));
      grouped.set(found, group(found));
    }
    return found;
  };
  storage.groupByPropertyName = (metadata) => grouped.get(metadata) ?? group(metadata);
}
