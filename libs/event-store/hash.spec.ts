import fc from 'fast-check';
import { canonicalize } from '@workgate/contracts';
import { canonicalEventJson, chainHash, composeCanonicalEvent, GENESIS_HASH } from './hash';

describe('canonical event JSON', () => {
  it('composed from canonical parts equals RFC 8785 canonicalize() of the whole event', () => {
    fc.assert(
      fc.property(
        fc.record({
          position: fc.integer({ min: 1, max: 2 ** 40 }),
          streamId: fc.string({ minLength: 1 }),
          streamVersion: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
          eventId: fc.uuid(),
          type: fc.string({ minLength: 1 }),
          data: fc.dictionary(fc.string(), fc.jsonValue()),
          metadata: fc.dictionary(fc.string(), fc.jsonValue()),
          occurredAt: fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
          recordedAt: fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
        }),
        (e) => {
          const composed = composeCanonicalEvent(e, canonicalize(e.data), canonicalize(e.metadata));
          expect(composed).toBe(canonicalEventJson(e));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('chains: the hash depends on the predecessor and on every byte of the event', () => {
    const a = chainHash(GENESIS_HASH, '{"a":1}');
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(chainHash(a, '{"a":1}')).not.toBe(a);
    expect(chainHash(GENESIS_HASH, '{"a":2}')).not.toBe(a);
  });
});
