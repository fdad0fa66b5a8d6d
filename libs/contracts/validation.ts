import { ClassConstructor, plainToInstance, TransformationType } from 'class-transformer';
import {
  getMetadataStorage,
  ValidationArguments,
  ValidationError,
  ValidationTypes,
  validateSync,
} from 'class-validator';

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

/** The path of an object's member (`a.b`, `a[0]` for a numeric key), as every problem names it. */
export function memberPath(path: string, key: string): string {
  if (/^\d+$/.test(key)) return `${path}[${key}]`;
  return path ? `${path}.${key}` : key;
}

export function flattenValidationErrors(
  errors: ValidationError[],
  path = '',
  out: FieldProblem[] = [],
): FieldProblem[] {
  for (const e of errors) {
    const here = memberPath(path, e.property);
    for (const [kind, message] of Object.entries(e.constraints ?? {})) {
      out.push({ path: here, message: kind === 'whitelistValidation' ? `unknown key "${e.property}"` : message });
    }
    if (e.children?.length) flattenValidationErrors(e.children, here, out);
  }
  return out;
}

/** Deeper than this, a value is refused (walked without recursion, so depth cannot overflow the stack). */
export const MAX_DEPTH = 64;
/** More values than this in one JSON value (every object, array, string, number, ...), and it is refused. */
export const MAX_NODES = 20_000;
/** More keys than this in one object, and it is refused. */
export const MAX_KEYS = 1_000;

/** A string or key that holds U+0000 or a surrogate (paired or not): checked closer only then. */
const SUSPECT = /[\u0000\ud800-\udfff]/;
/** U+0000, or a surrogate that is not half of a pair: no UTF-8 text holds either, and Postgres stores neither. */
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
/** Whether text holds U+0000 or an unpaired surrogate. */
export const unstorable = (text: string): boolean => SUSPECT.test(text) && UNSTORABLE.test(text);

const UNSTORABLE_ALL = new RegExp(UNSTORABLE.source, 'g');
/** Text as it can be stored and shown: U+0000 and unpaired surrogates written as `\uXXXX` escapes. */
export const storable = (text: string): string =>
  unstorable(text) ? text.replace(UNSTORABLE_ALL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`) : text;

/** A JSON object as JSON.parse makes it: not an array, not an instance of a class. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** What `jsonValueProblems` counted while it walked a value whole: its objects' members. */
export interface JsonShape {
  keys: number;
}

/**
 * Every problem of a parsed JSON value that no DTO rule sees, at any depth of free-form maps too:
 * `__proto__`, `constructor`, `prototype` or other inherited names as keys; nesting deeper than
 * MAX_DEPTH; more than MAX_NODES values or MAX_KEYS keys in an object; U+0000 or an unpaired
 * surrogate in a key or a string; a number that is not finite (its text was too large for a
 * double). Numbers a parse rounded are found in the text (`inexactNumbers`). Stops after `maxProblems`.
 * `shape`, when given, counts the objects' members (complete when no problem is found).
 */
export function jsonValueProblems(value: unknown, path = '', maxProblems = 20, shape?: JsonShape): FieldProblem[] {
  const out: FieldProblem[] = [];
  // Paths are written only for nested objects and for problems: a key holding a plain value costs
  // no string and no closure (this runs over every CloudEvent and every request body).
  const stack: Array<[object, string, number]> = [];
  let nodes = 1;
  if (value !== null && typeof value === 'object') stack.push([value, path, 0]);
  else {
    const message = leafProblem(value);
    if (message) out.push({ path, message });
  }
  while (stack.length && out.length < maxProblems) {
    const [v, here, depth] = stack.pop()!;
    if (depth >= MAX_DEPTH) {
      out.push({ path: here, message: `is nested deeper than ${MAX_DEPTH} levels` });
      continue;
    }
    const isArray = Array.isArray(v);
    const keys = Object.keys(v);
    if (!isArray && keys.length > MAX_KEYS) {
      out.push({ path: here, message: `has ${keys.length} keys, more than ${MAX_KEYS}` });
      continue;
    }
    nodes += keys.length;
    if (shape !== undefined && !isArray) shape.keys += keys.length;
    if (nodes > MAX_NODES) {
      out.push({ path: here, message: `holds more than ${MAX_NODES} values in all` });
      break;
    }
    for (const key of keys) {
      const child = (v as Record<string, unknown>)[key];
      if (!isArray && FORBIDDEN_KEYS.has(key)) {
        out.push({ path: memberPath(here, key), message: `key "${key}" is not allowed` });
        continue;
      }
      if (!isArray && unstorable(key)) {
        out.push({
          path: memberPath(here, storable(key)),
          message: 'is a key holding U+0000 or an unpaired surrogate, which no text can store',
        });
        continue;
      }
      if (child !== null && typeof child === 'object') {
        stack.push([child, childPath(here, key, isArray), depth + 1]);
        continue;
      }
      const message = leafProblem(child);
      if (message) out.push({ path: childPath(here, key, isArray), message });
    }
  }
  return out;
}

/** The path of an array's element or an object's member. */
const childPath = (here: string, key: string, isArray: boolean): string =>
  isArray ? `${here}[${key}]` : memberPath(here, key);

/** What no text can store in a plain JSON value (a string or a number), if anything. */
function leafProblem(value: unknown): string | undefined {
  if (typeof value === 'string')
    return unstorable(value) ? 'holds U+0000 or an unpaired surrogate, which no text can store' : undefined;
  if (typeof value === 'number' && !Number.isFinite(value))
    return 'is a number that cannot be kept exactly (too large for a double)';
  return undefined;
}

const LONG_RUN = /[0-9.]{16}/;

/** A JSON number token, or a string (skipped whole, so digits inside strings are never read as numbers). */
const TOKENS = /"(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/g;

/** The decimal value of a number's text, normalised: sign, significant digits, exponent of the last digit. */
function decimal(text: string): string {
  const m = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/.exec(text);
  if (!m) return text;
  const [, sign, int, frac = '', exp = '0'] = m;
  let digits = (int + frac).replace(/^0+/, '');
  let exponent = Number(exp) - frac.length;
  if (!digits) return '0';
  const trailing = digits.length - digits.replace(/0+$/, '').length;
  digits = digits.slice(0, digits.length - trailing);
  exponent += trailing;
  return `${sign}${digits}e${exponent}`;
}

/**
 * The numbers of a JSON text that a parse would not keep exactly: a decimal whose value differs
 * from the nearest double's (e.g. `0.12345678901234567890`, `9007199254740993`). Up to 15
 * significant digits always round-trip, so only longer numbers are looked at closely.
 */
export function inexactNumbers(text: string): string[] {
  const out: string[] = [];
  // A number of 16 or more significant digits has a run of 16 digits and dots: without one, nothing to look at.
  if (!LONG_RUN.test(text)) return out;
  for (const [token] of text.matchAll(TOKENS)) {
    if (token.charCodeAt(0) === 34 || token.length <= 15) continue; // a string, or too short to lose a digit
    const significant = token
      .replace(/[eE].*$/, '')
      .replace(/[-.]/g, '')
      .replace(/^0+/, '')
      .replace(/0+$/, '');
    if (significant.length <= 15) continue;
    const kept = Number(token);
    if (!Number.isFinite(kept) || decimal(token) !== decimal(String(kept).replace('e+', 'e'))) out.push(token);
  }
  return out;
}

/** A JSON text without a rounded number. */
export const NO_ROUNDED_NUMBERS: ReadonlyMap<number, string> = new Map();

/** The numbers of a JSON text a parse rounded, by the value they were rounded to. */
export function roundedNumbers(text: string): ReadonlyMap<number, string> {
  const tokens = inexactNumbers(text);
  return tokens.length ? new Map(tokens.map((t) => [Number(t), t])) : NO_ROUNDED_NUMBERS;
}

/** Where in a parsed value the `rounded` numbers are, as problems (at most 20). */
export function roundedNumberProblems(rounded: ReadonlyMap<number, string>, value: unknown, path = ''): FieldProblem[] {
  const problems: FieldProblem[] = [];
  if (rounded.size === 0) return problems;
  const stack: Array<[unknown, string]> = [[value, path]];
  while (stack.length && problems.length < 20) {
    const [v, here] = stack.pop()!;
    if (typeof v === 'number' && rounded.has(v))
      problems.push({
        path: here,
        message: `${rounded.get(v)} cannot be kept exactly as a number (send at most 15 significant digits, or the value as a string)`,
      });
    else if (v !== null && typeof v === 'object')
      for (const [k, c] of Object.entries(v)) stack.push([c, Array.isArray(v) ? `${here}[${k}]` : memberPath(here, k)]);
  }
  return problems;
}

/** `inexactNumbers` of a JSON text as problems of its parsed value, each named by the path where the number is. */
export function inexactNumberProblems(text: string, value: unknown): FieldProblem[] {
  return roundedNumberProblems(roundedNumbers(text), value);
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
  if (plain === null || typeof plain !== 'object' || Array.isArray(plain))
    return { ok: false, problems: [{ path: '', message: 'must be a JSON object' }] };
  // keysChecked: the caller already ran jsonValueProblems over a value that contains this one.
  const forbidden = options.keysChecked ? [] : jsonValueProblems(plain);
  if (forbidden.length) return { ok: false, problems: forbidden };
  if (vouchesFor(cls, plain)) return { ok: true };
  const errors = validateSync(plainToInstance(cls, plain), {
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    validationError: { target: false, value: false },
  });
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
  findTypeMetadata(
    target: Function,
    property: string,
  ): { typeFunction: (options?: unknown) => Function; options?: { discriminator?: unknown } } | undefined;
  findTransformMetadatas(target: Function, property: string, type: TransformationType): unknown[];
  getExposedMetadatas(target: Function): unknown[];
  getExcludedMetadatas(target: Function): unknown[];
}

/** class-transformer's decorator metadata (@Type and friends); not part of its public API, so its absence only turns the fast path off. */
function typeStorage(): TypeStorage | undefined {
  try {
    return (require('class-transformer/cjs/storage') as { defaultMetadataStorage?: TypeStorage })
      .defaultMetadataStorage;
  } catch {
    return undefined;
  }
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
        rule.nested = type.typeFunction();
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

/** No method or accessor on the class's prototype chain below Object's (a base DTO's count too). */
function hasNoMethods(cls: Function): boolean {
  for (let proto = cls.prototype; proto && proto !== Object.prototype; proto = Object.getPrototypeOf(proto)) {
    if (Object.getOwnPropertyNames(proto).some((name) => name !== 'constructor')) return false;
  }
  return true;
}

/** The nested DTO classes of each compiled class. */
const nestedClasses = new Map<Function, Function[]>();
const standsIn = new Map<Function, boolean>();

/**
 * Whether a plain value `vouchesFor` accepts can be used in place of the DTO instance
 * class-transformer would make of it: the class and each nested DTO class give no field a value
 * themselves (no defaults) and have no methods, so the instance would hold the plain value's
 * keys and values and nothing else (its other declared fields undefined, as JSON leaves them).
 */
export function plainStandsIn(cls: Function): boolean {
  let answer = standsIn.get(cls);
  if (answer === undefined) {
    standsIn.set(cls, false); // a class nested in itself is decided by its other members
    answer =
      checkFor(cls) !== null &&
      Object.values(new (cls as new () => object)()).every((v) => v === undefined) &&
      hasNoMethods(cls) &&
      (nestedClasses.get(cls) ?? []).every((nested) => nested === cls || plainStandsIn(nested));
    standsIn.set(cls, answer);
  }
  return answer;
}

/** `@ValidateNested`: nothing to check when missing; an object, or a flat array of objects, each valid as the `@Type` DTO. */
function nestedVouched(cls: Function, value: unknown): boolean {
  if (value === undefined) return true;
  const check = checkFor(cls);
  if (check === null) return false;
  const items = Array.isArray(value) ? value : [value];
  for (const item of items) {
    if (item === null || typeof item !== 'object' || Array.isArray(item) || !check(item as Record<string, unknown>))
      return false;
  }
  return true;
}
