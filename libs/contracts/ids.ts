import { WorkgateError } from './errors';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID.test(value);
}

/** An id from a request: a UUID (lower-cased), or `not_found` naming what has no such id. */
export function requireUuid(value: unknown, what: string): string {
  if (!isUuid(value)) throw new WorkgateError('not_found', `no ${what} has that id`);
  return value.toLowerCase();
}
