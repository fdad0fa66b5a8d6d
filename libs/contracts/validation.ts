import { ClassConstructor, plainToInstance, TransformationType } from 'class-transformer';
import { getMetadataStorage, ValidationArguments, ValidationError, ValidationTypes, validateSync } from 'class-validator';

export interface FieldProblem {
  path: string;
  message: string;
}

/**
 * `prototype` and every name an object inherits (`__proto__`, `constructor`, `toString`,
 * `hasOwnProperty`, ...). Besides the pollution risk, class-transformer skips a key that names an
 * inherited member, so whitelist validation never sees it and it would pass as if known.
 */
const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['prototype', ...Object.getOwnPropertyNames(Object.prototype)]);

function join(path: string, key: string): string {
  if (/^\d+$/.test(key)) return `${path}[${key}]`;
  return path ? `${path}.${key}` : key;
}

export function flattenValidationErrors(errors: ValidationError[], path = '', out: FieldProblem[] = []): FieldProblem[] {
  for (const e of errors) {
    const here = join(path, e.property);
    for (const [kind, message] of Object.entries(e.constraints ?? {})) {
      out.push({ path: here, message: kind === 'whitelistValidation' ? `unknown key "${e.property}"` : message });
    }
    if (e.children?.length) flattenValidationErrors(e.children, here, out);
  }
  return out;
}

/** Deeper than this, a value is refused (walked without recursion, so depth cannot overflow the stack). */
export const MAX_DEPTH = 64;

/** Problems for `__proto__`, `constructor`, `prototype` or other inherited names as keys anywhere in a parsed value, or nesting deeper than MAX_DEPTH. */
export function forbiddenKeyProblems(value: unknown, path = '', out: FieldProblem[] = []): FieldProblem[] {
  // Paths are written only for nested objects and for problems: a key holding a plain value costs no string.
  const stack: Array<[object, string, number]> = [];
  if (value !== null && typeof value === 'object') stack.push([value, path, 0]);
  while (stack.length) {
    const [v, here, depth] = stack.pop()!;
    if (depth >= MAX_DEPTH) {
      out.push({ path: here, message: `is nested deeper than ${MAX_DEPTH} levels` });
      continue;
    }
    const isArray = Array.isArray(v);
    for (const key of Object.keys(v)) {
      const child = (v as Record<string, unknown>)[key];
      const forbidden = FORBIDDEN_KEYS.has(key);
      if (!forbidden && (child === null || typeof child !== 'object')) continue;
      const at = isArray ? `${here}[${key}]` : join(here, key);
      if (forbidden) out.push({ path: at, message: `key "${key}" is not allowed` });
      else stack.push([child as object, at, depth + 1]);
    }
  }
  return out;
}

/**
 * Validates a plain value against a DTO class: unknown keys at any depth and prototype keys are
 * problems. The rules are the class-validator decorators of the DTO; a value the DTO's compiled
 * check (below) vouches for is valid without class-validator, any other is validated by
 * class-validator itself, which names every problem.
 */
export function validateDto<T extends object>(
  cls: ClassConstructor<T>,
  plain: unknown,
  options: { keysChecked?: boolean } = {},
): { ok: true } | { ok: false; problems: FieldProblem[] } {
  if (plain === null || typeof plain !== 'object' || Array.isArray(plain)) return { ok: false, problems: [{ path: '', message: 'must be a JSON object' }] };
  // keysChecked: the caller already ran forbiddenKeyProblems over a value that contains this one.
  const forbidden = options.keysChecked ? [] : forbiddenKeyProblems(plain);
  if (forbidden.length) return { ok: false, problems: forbidden };
  if (vouchesFor(cls, plain)) return { ok: true };
  const errors = validateSync(plainToInstance(cls, plain), { whitelist: true, forbidNonWhitelisted: true, forbidUnknownValues: true, validationError: { target: false, value: false } });
  if (errors.length) return { ok: false, problems: flattenValidationErrors(errors) };
  return { ok: true };
}

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
type Check = (value: Record<string, unknown>) => boolean;
const checks = new Map<Function, Check | null>();

export function vouchesFor(cls: Function, value: object): boolean {
  const check = checkFor(cls);
  try {
    return check !== null && check(value as Record<string, unknown>);
  } catch {
    return false; // a rule that throws on this value: class-validator decides
  }
}

function checkFor(cls: Function): Check | null {
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

interface TypeStorage {
  findTypeMetadata(target: Function, property: string): { typeFunction: (options?: unknown) => Function; options?: { discriminator?: unknown } } | undefined;
  findTransformMetadatas(target: Function, property: string, type: TransformationType): unknown[];
  getExposedMetadatas(target: Function): unknown[];
  getExcludedMetadatas(target: Function): unknown[];
}

/** class-transformer's decorator metadata (@Type and friends); not part of its public API, so its absence only turns the fast path off. */
function typeStorage(): TypeStorage | undefined {
  try {
    return (require('class-transformer/cjs/storage') as { defaultMetadataStorage?: TypeStorage }).defaultMetadataStorage;
  } catch {
    return undefined;
  }
}

interface Rule {
  property: string;
  conditions: Array<(object: object, value: unknown) => boolean>;
  constraints: Array<{ each: boolean; validateIf?: (object: object, value: unknown) => boolean; args: ValidationArguments['constraints']; validate: (value: unknown, args: ValidationArguments) => unknown }>;
  nested?: Function;
}

function compile(cls: Function): Check | null {
  const types = typeStorage();
  const storage = getMetadataStorage();
  if (!types || types.getExposedMetadatas(cls).length || types.getExcludedMetadatas(cls).length) return null;
  const metadatas = storage.getTargetValidationMetadatas(cls, '', false, false);
  if (metadatas.length === 0) return null;
  const byProperty = storage.groupByPropertyName(metadatas);
  // A declared field without rules would fail the whitelist on every instance.
  if (Object.keys(new (cls as new () => object)()).some((key) => !byProperty[key])) return null;
  const rules: Rule[] = [];
  for (const [property, list] of Object.entries(byProperty)) {
    if (types.findTransformMetadatas(cls, property, TransformationType.PLAIN_TO_CLASS).length) return null;
    const rule: Rule = { property, conditions: [], constraints: [] };
    for (const m of list) {
      if (m.type === ValidationTypes.WHITELIST) continue;
      if (m.type === ValidationTypes.CONDITIONAL_VALIDATION) {
        rule.conditions.push(m.constraints[0]);
      } else if (m.type === ValidationTypes.CUSTOM_VALIDATION || m.type === ValidationTypes.IS_DEFINED) {
        for (const c of storage.getTargetValidatorConstraints(m.constraintCls)) {
          if (c.async) return null;
          rule.constraints.push({ each: m.each === true, validateIf: m.validateIf, args: m.constraints, validate: (value, args) => c.instance.validate(value, args) });
        }
      } else if (m.type === ValidationTypes.NESTED_VALIDATION) {
        const type = types.findTypeMetadata(cls, property);
        if (!type || type.options?.discriminator) return null;
        rule.nested = type.typeFunction();
      } else {
        return null;
      }
    }
    rules.push(rule);
  }
  const known = new Set(Object.keys(byProperty));
  const targetName = cls.name;
  return (object) => {
    for (const key in object) if (!known.has(key)) return false;
    next: for (const rule of rules) {
      const value = object[rule.property];
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

/** `@ValidateNested`: nothing to check when missing; an object, or a flat array of objects, each valid as the `@Type` DTO. */
function nestedVouched(cls: Function, value: unknown): boolean {
  if (value === undefined) return true;
  const check = checkFor(cls);
  if (check === null) return false;
  const items = Array.isArray(value) ? value : [value];
  for (const item of items) {
    if (item === null || typeof item !== 'object' || Array.isArray(item) || !check(item as Record<string, unknown>)) return false;
  }
  return true;
}
