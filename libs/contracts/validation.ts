import { ClassConstructor, plainToInstance } from 'class-transformer';
import { ValidationError, validateSync } from 'class-validator';
import { vouchesFor } from './compiled-check';
import { FieldProblem, jsonValueProblems, memberPath } from './json-problems';

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
  const checked = decodeDto(cls, plain, options);
  return checked.ok ? { ok: true } : checked;
}

/** As `validateDto`, with the plain value typed as the DTO when it is valid (it is used as it is: nothing is converted). */
export function decodeDto<T extends object>(
  cls: ClassConstructor<T>,
  plain: unknown,
  options: { keysChecked?: boolean } = {},
): { ok: true; value: T } | { ok: false; problems: FieldProblem[] } {
  if (plain === null || typeof plain !== 'object' || Array.isArray(plain))
    return { ok: false, problems: [{ path: '', message: 'must be a JSON object' }] };
  // keysChecked: the caller already ran jsonValueProblems over a value that contains this one.
  const forbidden = options.keysChecked ? [] : jsonValueProblems(plain);
  if (forbidden.length) return { ok: false, problems: forbidden };
  if (validAs(cls, plain, vouchesFor(cls, plain))) return { ok: true, value: plain };
  const errors = validateSync(plainToInstance(cls, plain), {
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    validationError: { target: false, value: false },
  });
  if (!validAs(cls, plain, errors.length === 0)) return { ok: false, problems: flattenValidationErrors(errors) };
  // Unknown keys are refused and nothing is converted: the plain value is the DTO's data as it is.
  return { ok: true, value: plain };
}

/** The plain value is a valid `cls` when its rules passed (`passed`). */
function validAs<T extends object>(_cls: ClassConstructor<T>, _plain: object, passed: boolean): _plain is T {
  return passed;
}
