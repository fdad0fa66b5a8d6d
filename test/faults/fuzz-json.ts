import fc from 'fast-check';

/** JSON texts, trees and keys the HTTP fuzzing sends: a valid body with one edit, and the keys it refuses. */

/** Fixed, so a failure replays; small run counts keep the file well under a minute on two cores. */
export const SEED = 20_260_517;
export const RUNS_PER_ROUTE = 24;
export const RUNS_PER_WRITE = 12;

export type Step = string | number;
export type Edit = { at: Step[]; text?: string; key?: string };

export const samePath = (a: Step[], b: Step[]) => a.length === b.length && a.every((s, i) => s === b[i]);

/**
 * JSON text of `value` with one edit at `at`: with `key`, an entry added to the object there;
 * with `text` alone, the value there replaced; with neither, the entry there left out. Written as
 * text, so a `__proto__` key stays a plain own key once parsed, exactly as a client sends it.
 */
export function jsonText(value: unknown, edit?: Edit, here: Step[] = []): string {
  const at = edit && samePath(edit.at, here);
  if (at && edit.key === undefined && edit.text !== undefined) return edit.text;
  if (Array.isArray(value)) return `[${value.map((v, i) => jsonText(v, edit, [...here, i])).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const dropped = (k: string) =>
      edit !== undefined && edit.key === undefined && edit.text === undefined && samePath(edit.at, [...here, k]);
    const entries = Object.entries(value)
      .filter(([k]) => !dropped(k))
      .map(([k, v]) => `${JSON.stringify(k)}:${jsonText(v, edit, [...here, k])}`);
    if (at && edit.key !== undefined) entries.push(`${JSON.stringify(edit.key)}:${edit.text}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value);
}

/** Paths to every value inside `value` (the root included); `objects` only to plain objects. */
export function positions(value: unknown, objects = false, here: Step[] = []): Step[][] {
  const own = !objects || (value !== null && typeof value === 'object' && !Array.isArray(value)) ? [here] : [];
  if (value === null || typeof value !== 'object') return own;
  return [
    ...own,
    ...Object.entries(value).flatMap(([k, v]) =>
      positions(v, objects, [...here, Array.isArray(value) ? Number(k) : k]),
    ),
  ];
}

/** A path as the validation details name it (`evidence[0].kind`). */
export const detailPath = (path: Step[]) =>
  path.reduce<string>(
    (acc, s) => (typeof s === 'number' || /^\d+$/.test(s) ? `${acc}[${s}]` : acc ? `${acc}.${s}` : s),
    '',
  );

export const FORBIDDEN = ['__proto__', 'constructor', 'prototype'] as const;
export const FIELD_NAMES = [
  'jobType',
  'externalRef',
  'source',
  'inputs',
  'owner',
  'system',
  'operation',
  'kind',
  'facts',
  'objects',
  'stepId',
  'evidence',
  'ref',
  'private',
  'code',
  'rationale',
  'action',
  'artifact',
  'add',
  'reason',
  'decision',
  'permittedAction',
  'conditions',
  'note',
  'resolution',
  'recipient',
  'command',
  'prompt',
  'definition',
  'checkpoint',
  'title',
  'due',
  'outcome',
  'remediation',
  'specversion',
  'id',
  'type',
  'subject',
  'data',
];

/** Leaves as JSON text, with raw numbers JSON.parse turns into edge values (Infinity, -0, an inexact integer). */
export const leaf = fc.oneof(
  fc.string({ maxLength: 12 }).map((s) => JSON.stringify(s)),
  fc.integer().map(String),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((n) => JSON.stringify(n)),
  fc.constantFrom(
    'true',
    'false',
    'null',
    '1e400',
    '-1e400',
    '-0',
    '9007199254740993',
    '12345678901234567890',
    '0.12345678901234567890',
    '1e999999',
    '""',
    '"x"',
    '"a\\u0000b"',
    '"\\ud800"',
    '"\\udfff x"',
    '{}',
    '[]',
  ),
);

/** Leaves every body may hold: no U+0000, no unpaired surrogate, no number a parse would round. */
export const cleanLeaf = fc.oneof(
  fc
    .string({ maxLength: 12 })
    .filter((s) => !s.includes('\u0000'))
    .map((s) => JSON.stringify(s)),
  fc.integer().map(String),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((n) => JSON.stringify(n)),
  fc.constantFrom('true', 'false', 'null', '-0', '""', '"x"', '{}', '[]'),
);

/** JSON texts of any shape, with prototype keys and field names the DTOs know among random keys (never one key twice in an object: that is refused on its own). */
export function jsonTree(keys: fc.Arbitrary<string>, leaves: fc.Arbitrary<string> = leaf) {
  return fc.letrec<{ node: string; array: string; object: string }>((tie) => ({
    node: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leaves, tie('array'), tie('object')),
    array: fc.array(tie('node'), { maxLength: 4 }).map((items) => `[${items.join(',')}]`),
    object: fc
      .uniqueArray(fc.tuple(keys, tie('node')), { maxLength: 5, selector: ([k]) => k })
      .map((entries) => `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(',')}}`),
  }));
}
export const anyKey = fc.oneof(
  fc.constantFrom(...FORBIDDEN),
  fc.constantFrom(...FIELD_NAMES, 'polluted', 'toString', 'valueOf', 'hasOwnProperty', '__defineGetter__'),
  fc.string({ maxLength: 8 }),
);
export const anyTree = jsonTree(anyKey);
/** The same without any key that is refused by name (prototype keys, inherited names), and with clean leaves only. */
export const cleanTree = jsonTree(
  fc.oneof(
    fc.constantFrom(...FIELD_NAMES),
    fc.string({ maxLength: 8 }).filter((k) => !(k in Object.prototype) && k !== 'prototype' && !k.includes('\u0000')),
  ),
  cleanLeaf,
);

/**
 * Keys no DTO declares: names every object inherits (class-transformer skips them, so whitelist
 * validation never sees them), case variants of real fields, keys with anything but letters (every
 * DTO property is letters only, apart from `sha256`), and the empty key.
 */
export const INHERITED = Object.getOwnPropertyNames(Object.prototype).filter((k) => !FORBIDDEN.some((f) => f === k));
export const unknownKey = (known: ReadonlySet<string>) =>
  fc
    .oneof(
      fc.constantFrom(...INHERITED),
      fc.constantFrom(...FIELD_NAMES).map((k) => k.toUpperCase()),
      fc.string({ minLength: 1, maxLength: 12 }).filter((k) => /[^A-Za-z]/.test(k)),
      fc.constant(''),
    )
    .filter((k) => !known.has(k) && !FORBIDDEN.some((f) => f === k));

/** The refusal of a key, in the words of the body parser / the validation pipe. */
export const refusedKey = (key: string) => [`unknown key "${key}"`, `key "${key}" is not allowed`];
