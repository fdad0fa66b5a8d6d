import { TransformationType } from 'class-transformer';
import { getMetadataStorage, ValidationArguments, ValidationTypes } from 'class-validator';
import { typeStorage } from './type-storage';

/**
 * A DTO's class-validator rules compiled into one walk over a plain value, for the hot path
 * (every CloudEvent's data). class-validator first copies the value into class instances
 * (class-transformer), then, for every object, looks its class's rules up anew among all
 * registered ones and groups them: about a third of what intake allocates per event. The
 * compiled check runs the very same rules (each constraint's own `validate`, `each`, the
 * `IsOptional` condition, nested DTOs by their `@Type`, no unknown keys) on the plain value and
 * only ever answers "valid" or "ask class-validator": any failure, anything it was not compiled
 * for (async or promise rules, transforms, a nested value that is neither an object nor a flat
 * array), goes to class-validator, which gives the problems. The spec checks on generated values
 * that it never vouches for what class-validator refuses.
 */
type Check = (value: object) => boolean;

/** A DTO class (a body's or a nested one's). */
export type DtoClass = abstract new (...args: never[]) => unknown;

/** What class-transformer's `@Type` names: a class. */
const isClass = (value: unknown): value is DtoClass => typeof value === 'function';

const checks = new Map<DtoClass, Check | null>();

export function vouchesFor(cls: DtoClass, value: object): boolean {
  const check = checkFor(cls);
  try {
    return check !== null && check(value);
  } catch {
    return false; // a rule that throws on this value: class-validator decides
  }
}

function checkFor(cls: DtoClass): Check | null {
  let check = checks.get(cls);
  if (check === undefined) {
    try {
      check = compile(cls);
    } catch {
      check = null; // e.g. a DTO whose constructor needs arguments: class-validator decides
    }
    checks.set(cls, check);
  }
  return check;
}

interface Rule {
  property: string;
  conditions: Array<(object: object, value: unknown) => boolean>;
  constraints: Array<{
    each: boolean;
    validateIf?: (object: object, value: unknown) => boolean;
    args: ValidationArguments['constraints'];
    validate: (value: unknown, args: ValidationArguments) => unknown;
  }>;
  nested?: DtoClass;
}

function compile(cls: DtoClass): Check | null {
  const types = typeStorage();
  const storage = getMetadataStorage();
  if (!types || types.getExposedMetadatas(cls).length || types.getExcludedMetadatas(cls).length) return null;
  const metadatas = storage.getTargetValidationMetadatas(cls, '', false, false);
  if (metadatas.length === 0) return null;
  const byProperty = storage.groupByPropertyName(metadatas);
  // A declared field without rules would fail the whitelist on every instance.
  if (Object.keys(blankInstance(cls)).some((key) => !byProperty[key])) return null;
  const rules: Rule[] = [];
  for (const [property, list] of Object.entries(byProperty)) {
    if (types.findTransformMetadatas(cls, property, TransformationType.PLAIN_TO_CLASS).length) return null;
    const rule: Rule = { property, conditions: [], constraints: [] };
    for (const m of list) {
      if (m.type === ValidationTypes.WHITELIST) continue;
      if (m.type === ValidationTypes.CONDITIONAL_VALIDATION) {
        const condition: unknown = m.constraints[0];
        if (typeof condition !== 'function') return null;
        rule.conditions.push((object, value) => Boolean(Reflect.apply(condition, undefined, [object, value])));
      } else if (m.type === ValidationTypes.CUSTOM_VALIDATION || m.type === ValidationTypes.IS_DEFINED) {
        for (const c of storage.getTargetValidatorConstraints(m.constraintCls)) {
          if (c.async) return null;
          rule.constraints.push({
            each: m.each === true,
            validateIf: m.validateIf,
            args: m.constraints,
            validate: (value, args) => c.instance.validate(value, args),
          });
        }
      } else if (m.type === ValidationTypes.NESTED_VALIDATION) {
        const type = types.findTypeMetadata(cls, property);
        if (!type || type.options?.discriminator) return null;
        const nested = type.typeFunction();
        if (!isClass(nested)) return null;
        rule.nested = nested;
      } else {
        return null;
      }
    }
    rules.push(rule);
  }
  nestedClasses.set(
    cls,
    rules.flatMap((r) => (r.nested ? [r.nested] : [])),
  );
  const known = new Set(Object.keys(byProperty));
  const targetName = cls.name;
  return (object) => {
    for (const key in object) if (!known.has(key)) return false;
    next: for (const rule of rules) {
      const value: unknown = Reflect.get(object, rule.property);
      for (const condition of rule.conditions) if (!condition(object, value)) continue next;
      for (const c of rule.constraints) {
        if (c.validateIf && !c.validateIf(object, value)) continue;
        const args: ValidationArguments = { targetName, property: rule.property, object, value, constraints: c.args };
        if (c.each && Array.isArray(value)) {
          for (const item of value) if (c.validate(item, args) !== true) return false;
        } else if (c.validate(value, args) !== true) {
          return false;
        }
      }
      if (rule.nested && !nestedVouched(rule.nested, value)) return false;
    }
    return true;
  };
}

/** An instance made without arguments (a DTO class's constructor takes none). */
function blankInstance(cls: DtoClass): object {
  const made: unknown = Reflect.construct(cls, []);
  return typeof made === 'object' && made !== null ? made : {};
}

/** No method or accessor on the class's prototype chain below Object's (a base DTO's count too). */
function hasNoMethods(cls: DtoClass): boolean {
  for (let proto: unknown = cls.prototype; proto && proto !== Object.prototype; proto = Object.getPrototypeOf(proto)) {
    if (Object.getOwnPropertyNames(proto).some((name) => name !== 'constructor')) return false;
  }
  return true;
}

/** The nested DTO classes of each compiled class. */
const nestedClasses = new Map<DtoClass, DtoClass[]>();
const standsIn = new Map<DtoClass, boolean>();

/**
 * Whether a plain value `vouchesFor` accepts can be used in place of the DTO instance
 * class-transformer would make of it: the class and each nested DTO class give no field a value
 * themselves (no defaults) and have no methods, so the instance would hold the plain value's
 * keys and values and nothing else (its other declared fields undefined, as JSON leaves them).
 */
export function plainStandsIn(cls: DtoClass): boolean {
  let answer = standsIn.get(cls);
  if (answer === undefined) {
    standsIn.set(cls, false); // a class nested in itself is decided by its other members
    answer =
      checkFor(cls) !== null &&
      Object.values(blankInstance(cls)).every((v) => v === undefined) &&
      hasNoMethods(cls) &&
      (nestedClasses.get(cls) ?? []).every((nested) => nested === cls || plainStandsIn(nested));
    standsIn.set(cls, answer);
  }
  return answer;
}

/** `@ValidateNested`: nothing to check when missing; an object, or a flat array of objects, each valid as the `@Type` DTO. */
function nestedVouched(cls: DtoClass, value: unknown): boolean {
  if (value === undefined) return true;
  const check = checkFor(cls);
  if (check === null) return false;
  const items: unknown[] = Array.isArray(value) ? value : [value];
  for (const item of items) {
    if (item === null || typeof item !== 'object' || Array.isArray(item) || !check(item)) return false;
  }
  return true;
}
