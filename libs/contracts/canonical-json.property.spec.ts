import fc from 'fast-check';
import { canonicalize as reference } from 'json-canonicalize';
import { canonicalize } from './canonical-json';

/** Generated values: 500 in `npm test`, 10,000 in the faults tier (WORKGATE_PROPERTY_RUNS). */
const RUNS = Number(process.env.WORKGATE_PROPERTY_RUNS ?? 500);

describe('canonicalize (RFC 8785), against a reference', () => {
  it('writes exactly what the json-canonicalize package writes, for any JSON value', () => {
    // Full Unicode strings (escapes, surrogate pairs, lone surrogates) as values and as keys.
    const text = fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.string({ unit: 'grapheme' }));
    const value = fc.letrec((tie) => ({
      value: fc.oneof(
        { depthSize: 'small' },
        fc.constant(null),
        fc.boolean(),
        fc.double({ noNaN: true, noDefaultInfinity: true }),
        fc.integer(),
        text,
        fc.array(tie('value')),
        fc.dictionary(text, tie('value')),
      ),
    })).value;
    fc.assert(
      fc.property(value, (v) => {
        expect(canonicalize(v)).toBe(reference(v));
      }),
      { numRuns: RUNS },
    );
  });
});
