import fc from 'fast-check';
import { canonicalize as reference } from 'json-canonicalize';
import { canonicalize } from './canonical-json';

describe('canonicalize (RFC 8785)', () => {
  it('sorts keys by UTF-16 code units and writes numbers as ECMAScript does', () => {
    expect(canonicalize({ b: [1e21, 1e-7, -0, 0.1], a: { '\u20ac': 1, '\r': 2, '\ud83d\ude00': 3, '1': 4 } })).toBe(
      '{"a":{"\\r":2,"1":4,"\u20ac":1,"\ud83d\ude00":3},"b":[1e+21,1e-7,0,0.1]}',
    );
  });

  it('sorts objects with many keys as it sorts small ones', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.integer(), { minKeys: 20, maxKeys: 60 }), (v) => {
        expect(canonicalize(v)).toBe(reference(v));
      }),
      { numRuns: 200 },
    );
  });

  it('leaves out undefined members, writes undefined array elements as null, and refuses what JSON cannot hold', () => {
    expect(canonicalize({ a: undefined, b: [undefined, 1] })).toBe('{"b":[null,1]}');
    expect(canonicalize({ at: new Date(0) })).toBe('{"at":"1970-01-01T00:00:00.000Z"}');
    expect(() => canonicalize({ n: Number.POSITIVE_INFINITY })).toThrow(/Non-finite/);
    expect(() => canonicalize({ n: Number.NaN })).toThrow(/Non-finite/);
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    expect(() => canonicalize(cycle)).toThrow(/circular/);
  });
});
