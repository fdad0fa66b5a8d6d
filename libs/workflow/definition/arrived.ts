/**
 * Reading a definition as it arrived (parsed YAML or JSON, not yet validated): every field may
 * hold anything, so each is read as `unknown` and checked where it is used.
 */

/** A type's fields as they arrived: each may hold anything. */
export type Arrived<T> = { readonly [K in keyof T]?: unknown };

/** An object's fields read as unknown values. */
export const isFields = (value: unknown): value is Readonly<Record<string, unknown>> =>
  typeof value === 'object' && value !== null;

/** The fields of a value as it arrived: none of anything but an object (null, a number, a text). */
export const fieldsOf = (value: unknown): Readonly<Record<string, unknown>> => (isFields(value) ? value : {});

/** A list as it arrived, or none. */
export const listOf = (value: unknown): readonly unknown[] => (Array.isArray(value) ? value : []);
