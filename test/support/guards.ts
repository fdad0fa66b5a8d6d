import type { AddressInfo } from 'node:net';

/**
 * Type guards for JSON a test reads from outside its own code (a file, a child process's output,
 * a provider's answer): each checks, at run time, the shape the test goes on to read, so a value
 * of another shape fails there, naming it, instead of typing it on trust.
 */
import { Guard, Guarded, isRecord } from '@workgate/contracts';

// The basic checks are the contracts' own (libs/contracts/json-guards.ts); the ones below are tests' additions.
export type { Guard, Guarded } from '@workgate/contracts';
export {
  arrayOf,
  isBoolean,
  isNumber,
  isRecord,
  isString,
  isUnknown,
  nullable,
  optional,
  recordOf,
} from '@workgate/contracts';

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
