import { withoutPrivate } from './proof';

/** The client-safe proof package leaves out whatever is marked private, wherever it sits. */
describe('withoutPrivate', () => {
  it('drops private items of lists and private members of objects at any depth, and keeps the rest as it was', () => {
    const receipt = {
      receiptId: 'r-1',
      evidence: [
        { kind: 'receipt', ref: 'R-1', private: false },
        { kind: 'call-log', ref: 'CANARY-1', private: true },
      ],
      decision: { rollbackNote: { text: 'CANARY-2', private: true }, reason: 'within_boundary' },
      nested: [[{ note: 'CANARY-3', private: true }], { private: 'true' }],
      proof: { inclusion: ['AAAA', 'BBBB'], checkpoint: 'note' },
    };
    const safe = withoutPrivate(receipt);
    expect(safe).toEqual({
      receiptId: 'r-1',
      evidence: [{ kind: 'receipt', ref: 'R-1', private: false }],
      decision: { reason: 'within_boundary' },
      nested: [[], { private: 'true' }],
      proof: { inclusion: ['AAAA', 'BBBB'], checkpoint: 'note' },
    });
    expect(JSON.stringify(safe)).not.toMatch(/CANARY/);
    // The receipt it was made from is unchanged.
    expect(receipt.evidence).toHaveLength(2);
    expect(withoutPrivate([{ private: true }, 'text', 3, null])).toEqual(['text', 3, null]);
  });
});
