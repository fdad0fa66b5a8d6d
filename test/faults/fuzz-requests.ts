import fc from 'fast-check';
import { anyTree, FORBIDDEN, jsonText, positions } from './fuzz-json';

/** Path parameters, query strings and bodies the HTTP fuzzing sends, and the prototypes it watches. */

/** Path parameter values that are no id at all, sent encoded or raw. */
export const JUNK = [
  '',
  ' ',
  '.',
  '..',
  '%',
  '%zz',
  '%E0%A4%A',
  '%00',
  '%ED%A0%80',
  '%FF',
  'a%00b',
  '%2F',
  '%2e%2e%2f',
  'null',
  'undefined',
  'NaN',
  '-1',
  '0',
  '1.5',
  '1e400',
  '99999999999999999999999',
  '00000000-0000-0000-0000-000000000000',
  '00000000-0000-4000-8000-000000000000',
  ...FORBIDDEN,
  'toString',
  'hasOwnProperty',
  '<script>alert(1)</script>',
  "' OR 1=1 --",
  'x'.repeat(5000),
  '😀',
  '\u202e',
  'index.html',
  '../../package.json',
];
export const junkParam = fc
  .oneof(
    fc.constantFrom(...JUNK).map((s) => ({ s, raw: true })),
    fc
      .tuple(
        fc.oneof(
          fc.constantFrom(...JUNK),
          fc.string({ maxLength: 40 }),
          fc.string({ unit: 'grapheme', maxLength: 20 }),
        ),
        fc.boolean(),
      )
      .map(([s, raw]) => ({ s, raw })),
  )
  .map(({ s, raw }) => (raw && !/[/?#]/.test(s) ? s : encodeURIComponent(s)));

export const QUERY_NAMES = [
  'stage',
  'source',
  'externalRef',
  'jobType',
  'status',
  'limit',
  'owner',
  'after',
  'before',
  'from',
  'to',
  'asOf',
  'groupBy',
  'evidence',
  'interval',
  'code',
  'overdue',
  'box',
  'filter',
  'since',
];
export const QUERY_VALUES = [
  '%00',
  'a%00',
  '%ED%A0%80',
  '%FF',
  '%',
  '1',
  '10',
  '1000',
  '100000',
  '-1',
  'true',
  'open',
  'pending',
  'requested',
  'day',
  'week',
  'version',
  'missing',
  'all',
  'inbox',
  'execute',
  'discovery',
  'support-recovery',
  '2026-01-01T00:00:00Z',
  '2026-13-45',
  'x'.repeat(300),
  '',
  // Cursors of list pages (`after`): well-formed, with an id that is not a uuid, with a year past 9999.
  'WyJhIiwiMjAyNi0wMS0wMVQwMDowMDowMFoiLCIwMDAwMDAwMC0wMDAwLTQwMDAtODAwMC0wMDAwMDAwMDAwMDAiXQ',
  'WyJhIiwiMjAyNi0wMS0wMVQwMDowMDowMFoiLCJub3QtYS11dWlkIl0',
  'WyJhIiwiKzI3NTc2MC0wOS0xM1QwMDowMDowMC4wMDFaIiwiMDAwMDAwMDAtMDAwMC00MDAwLTgwMDAtMDAwMDAwMDAwMDAwIl0',
];
export const queryString = fc
  .array(
    fc.tuple(
      fc.oneof(
        { weight: 6, arbitrary: fc.constantFrom(...QUERY_NAMES) },
        {
          weight: 1,
          arbitrary: fc.constantFrom(
            ...FORBIDDEN,
            'toString',
            'hasOwnProperty',
            '__proto__[polluted]',
            'constructor[prototype][polluted]',
            'a[]',
            'limit[]',
          ),
        },
        { weight: 1, arbitrary: fc.string({ maxLength: 10 }) },
      ),
      fc.oneof(
        { weight: 3, arbitrary: fc.constantFrom(...QUERY_VALUES) },
        { weight: 1, arbitrary: fc.string({ maxLength: 20 }) },
      ),
      fc.boolean(),
    ),
    { maxLength: 3 },
  )
  .map((pairs) =>
    pairs.length
      ? `?${pairs.map(([k, v, raw]) => (raw ? `${k}=${v}` : `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)).join('&')}`
      : '',
  );

export const CONTENT_TYPES = [
  'application/cloudevents+json',
  'application/cloudevents-batch+json',
  'text/plain',
  'application/x-www-form-urlencoded',
  'application/json; charset=utf-16',
  'application/json; charset=latin1',
  'application/merge-patch+json',
  'multipart/form-data; boundary=x',
];

export interface Body {
  text?: string;
  type?: string;
}

/** What a client may send as a body: the valid one, edits of it (prototype keys, wrong types), any JSON, no JSON, deep JSON, nothing. */
export function bodies(valid: unknown, jsonType: string): fc.Arbitrary<Body> {
  const type = fc.oneof(
    { weight: 6, arbitrary: fc.constant(jsonType) },
    fc.constantFrom(...CONTENT_TYPES),
    fc.constant(undefined),
  );
  const text = fc.oneof(
    { weight: 3, arbitrary: fc.oneof(anyTree.object, anyTree.node) },
    { weight: 1, arbitrary: fc.string({ maxLength: 40 }) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(63, 64, 65, 1000, 100_000).map((n) => `${'{"a":['.repeat(n)}${']}'.repeat(n)}`),
    },
    ...(valid === undefined
      ? []
      : [
          { weight: 1, arbitrary: fc.constant(jsonText(valid)) },
          {
            weight: 3,
            arbitrary: fc
              .tuple(fc.constantFrom(...positions(valid).slice(1)), anyTree.node)
              .map(([at, node]) => jsonText(valid, { at, text: node })),
          },
          // Without one of its entries: a required field missing must be refused, never crash a handler.
          {
            weight: 2,
            arbitrary: fc
              .constantFrom(...positions(valid).filter((at) => typeof at[at.length - 1] === 'string'))
              .map((at) => jsonText(valid, { at })),
          },
          {
            weight: 2,
            arbitrary: fc
              .tuple(fc.constantFrom(...positions(valid, true)), fc.constantFrom(...FORBIDDEN), anyTree.object)
              .map(([at, key, node]) => jsonText(valid, { at, key, text: node })),
          },
        ]),
  );
  return fc.oneof({ weight: 12, arbitrary: fc.record({ text, type }) }, { weight: 1, arbitrary: fc.constant({}) });
}

/** An answer to a fuzzed request: its body is the caller's type once the status says which (`unknown` until then). */
export interface Answer<T = unknown> {
  status: number;
  body: T;
  text: string;
}

/** Every own property of the prototypes a merge of a request body could reach, as it was at the start. */
export const PROTOTYPES = {
  Object: Object.prototype,
  Array: Array.prototype,
  Function: Function.prototype,
  String: String.prototype,
};
export const snapshot = () =>
  Object.entries(PROTOTYPES).map(([name, proto]) => ({
    name,
    proto,
    props: new Map(Reflect.ownKeys(proto).map((k) => [k, Object.getOwnPropertyDescriptor(proto, k)!])),
  }));

/** A readable list of what changed on the prototypes since `before` (empty: untouched). */
export function pollution(before: ReturnType<typeof snapshot>): string[] {
  const found: string[] = [];
  for (const { name, proto, props } of before) {
    const now = Reflect.ownKeys(proto);
    for (const key of now) if (!props.has(key)) found.push(`${name}.prototype gained ${String(key)}`);
    for (const [key, was] of props) {
      const is = Object.getOwnPropertyDescriptor(proto, key);
      if (!is || is.value !== was.value || is.get !== was.get || is.set !== was.set)
        found.push(`${name}.prototype.${String(key)} changed`);
    }
  }
  // Read through each prototype chain, as any code reading `obj[key]` would.
  for (const key of ['polluted', 'isAdmin', 'roles'])
    if (Reflect.get({}, key) !== undefined || Reflect.get([], key) !== undefined) found.push(`({}).${key} is defined`);
  return found;
}
