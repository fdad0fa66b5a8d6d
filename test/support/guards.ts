import type { AddressInfo } from 'node:net';

/**
 * Type guards for JSON a test reads from outside its own code (a file, a child process's output,
 * a provider's answer): each checks, at run time, the shape the test goes on to read, so a value
 * of another shape fails there, naming it, instead of typing it on trust.
 */
export type Guard<T> = (value: unknown) => value is T;

/** The type a guard checks. */
export type Guarded<G> = G extends Guard<infer T> ? T : never;

export const isString: Guard<string> = (value): value is string => typeof value === 'string';
export const isNumber: Guard<number> = (value): value is number => typeof value === 'number';
export const isBoolean: Guard<boolean> = (value): value is boolean => typeof value === 'boolean';
export const isUnknown: Guard<unknown> = (_value): _value is unknown => true;

/** A JSON object (not null, not an array). */
export const isRecord: Guard<Record<string, unknown>> = (value): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** An array whose every item passes `item`. */
export const arrayOf =
  <T>(item: Guard<T>): Guard<T[]> =>
  (value): value is T[] =>
    Array.isArray(value) && value.every(item);

/** A JSON object whose every value passes `item`. */
export const recordOf =
  <T>(item: Guard<T>): Guard<Record<string, T>> =>
  (value): value is Record<string, T> =>
    isRecord(value) && Object.values(value).every(item);

/** `undefined`, or what `inner` checks. */
export const optional =
  <T>(inner: Guard<T>): Guard<T | undefined> =>
  (value): value is T | undefined =>
    value === undefined || inner(value);

/** `null`, or what `inner` checks. */
export const nullable =
  <T>(inner: Guard<T>): Guard<T | null> =>
  (value): value is T | null =>
    value === null || inner(value);

/** A JSON object with (at least) these fields, each passing its guard; other fields are not read. */
export const shaped =
  <F extends Record<string, Guard<unknown>>>(fields: F): Guard<{ [K in keyof F]: Guarded<F[K]> }> =>
  (value): value is { [K in keyof F]: Guarded<F[K]> } =>
    isRecord(value) && Object.entries(fields).every(([key, guard]) => guard(value[key]));

/** `value` when it passes `guard`; fails, naming `what` and showing the value, when it does not. */
export function checked<T>(value: unknown, guard: Guard<T>, what: string): T {
  if (!guard(value)) throw new Error(`${what} is not of the expected shape: ${JSON.stringify(value)?.slice(0, 500)}`);
  return value;
}

/** The JSON of `text`, checked by `guard`. */
export function parsed<T>(text: string, guard: Guard<T>, what: string): T {
  return checked(JSON.parse(text), guard, what);
}

/** The port a listening server is bound to (its address is an AddressInfo once it listens on TCP). */
export function portOf(server: { address(): AddressInfo | string | null }): number {
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error(`not listening on a TCP port: ${address}`);
  return address.port;
}

/** The message of something thrown: an Error's message, else its text. */
export const messageOf = (thrown: unknown): string => (thrown instanceof Error ? thrown.message : String(thrown));

/** The JSON of a fetch answer, as `unknown` until a guard checks it. */
export const jsonOf = async (res: Response): Promise<unknown> => res.json();
