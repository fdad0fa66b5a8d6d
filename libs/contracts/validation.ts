import { ClassConstructor, plainToInstance } from 'class-transformer';
import { ValidationError, validateSync } from 'class-validator';

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

/** Validates a plain value against a DTO class: unknown keys at any depth and prototype keys are problems. */
export function validateDto<T extends object>(
  cls: ClassConstructor<T>,
  plain: unknown,
  options: { keysChecked?: boolean } = {},
): { ok: true; value: T } | { ok: false; problems: FieldProblem[] } {
  if (plain === null || typeof plain !== 'object' || Array.isArray(plain)) return { ok: false, problems: [{ path: '', message: 'must be a JSON object' }] };
  // keysChecked: the caller already ran forbiddenKeyProblems over a value that contains this one.
  const forbidden = options.keysChecked ? [] : forbiddenKeyProblems(plain);
  if (forbidden.length) return { ok: false, problems: forbidden };
  const instance = plainToInstance(cls, plain);
  const errors = validateSync(instance, { whitelist: true, forbidNonWhitelisted: true, forbidUnknownValues: true, validationError: { target: false, value: false } });
  if (errors.length) return { ok: false, problems: flattenValidationErrors(errors) };
  return { ok: true, value: instance };
}
