/**
 * Checks that give a decoded JSON value (or any `unknown`) its type by looking at it, so code that
 * reads JSON text, a reply or a query row states the shape it needs and refuses another one, instead
 * of asserting it. `parseJsonAs` and `expectShape` are the one place such a value becomes typed.
 */

/** A check that a value has type T. */
export type Guard<T> = (value: unknown) => value is T;

/** The type a guard checks for. */
export type Guarded<G> = G extends Guard<infer T> ? T : never;

export const isString: Guard<string> = (value): value is string => typeof value === 'string';
export const isNumber: Guard<number> = (value): value is number => typeof value === 'number';
export const isBoolean: Guard<boolean> = (value): value is boolean => typeof value === 'boolean';
export const isUnknown: Guard<unknown> = (_value): _value is unknown => true;

/** An object (not null, not an array): its members are still to be checked. */
export const isRecord: Guard<Record<string, unknown>> = (value): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The value passes `guard`, or is absent. */
export function optional<T>(guard: Guard<T>): Guard<T | undefined> {
  return (value): value is T | undefined => value === undefined || guard(value);
}

/** The value passes `guard`, or is null. */
export function nullable<T>(guard: Guard<T>): Guard<T | null> {
  return (value): value is T | null => value === null || guard(value);
}

/** An array whose every item passes `guard`. */
export function arrayOf<T>(guard: Guard<T>): Guard<T[]> {
  return (value): value is T[] => Array.isArray(value) && value.every((item) => guard(item));
}

/** An object whose every member passes `guard`. */
export function recordOf<T>(guard: Guard<T>): Guard<Record<string, T>> {
  return (value): value is Record<string, T> => isRecord(value) && Object.values(value).every((item) => guard(item));
}

/** One of the given literal values. */
export function oneOf<const T extends readonly (string | number)[]>(...values: T): Guard<T[number]> {
  return (value): value is T[number] => values.some((allowed) => allowed === value);
}

/** An object with (at least) these members, each passing its guard; other members are left as they are. */
export function objectOf<S extends Record<string, Guard<unknown>>>(shape: S): Guard<{ [K in keyof S]: Guarded<S[K]> }> {
  return (value): value is { [K in keyof S]: Guarded<S[K]> } =>
    isRecord(value) && Object.entries(shape).every(([key, guard]) => guard(value[key]));
}

/** The value as type T when it passes `guard`; else an error naming `what` was expected. */
export function expectShape<T>(value: unknown, guard: Guard<T>, what: string): T {
  if (guard(value)) return value;
  const shown = JSON.stringify(value) ?? String(value);
  throw new TypeError(`expected ${what}, got ${shown.length > 200 ? `${shown.slice(0, 200)}…` : shown}`);
}

/** JSON text parsed and checked as type T; an error naming `what` when it is not JSON or not that shape. */
export function parseJsonAs<T>(text: string, guard: Guard<T>, what: string): T {
  return expectShape<T>(JSON.parse(text), guard, what);
}
