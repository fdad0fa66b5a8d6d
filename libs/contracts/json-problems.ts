/** Problems a parsed JSON value can have that no DTO rule sees: forbidden keys, depth, size, unstorable text. */
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

/** Deeper than this, a value is refused (walked without recursion, so depth cannot overflow the stack). */
export const MAX_DEPTH = 64;
/** More values than this in one JSON value (every object, array, string, number, ...), and it is refused. */
export const MAX_NODES = 20_000;
/** More keys than this in one object, and it is refused. */
export const MAX_KEYS = 1_000;

/** A string or key that holds U+0000 or a surrogate (paired or not): checked closer only then. */
// eslint-disable-next-line no-control-regex -- finding U+0000 is the point
const SUSPECT = /[\u0000\ud800-\udfff]/;
/** U+0000, or a surrogate that is not half of a pair: no UTF-8 text holds either, and Postgres stores neither. */
// eslint-disable-next-line no-control-regex -- finding U+0000 is the point
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
  const proto: unknown = Object.getPrototypeOf(value);
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
      const child: unknown = Reflect.get(v, key);
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
