import { prepareAppend } from './validate';

const append = (data: Record<string, unknown>) => () =>
  prepareAppend({
    streamId: 's-1',
    expectedVersion: 'any',
    events: [{ eventId: '00000000-0000-4000-8000-000000000001', type: 'Noted', data }],
  });

describe('what the ledger can store', () => {
  it('refuses U+0000 and unpaired surrogates, in values and keys', () => {
    for (const data of [
      { a: 'x\u0000y' },
      { a: '\ud800' },
      { a: 'x\udc00' },
      { '\ud800k': 1 },
      { a: ['\\', '\udfff'] },
    ]) {
      expect(append(data)).toThrow(/contains a NUL character or an unpaired surrogate/);
    }
  });

  it('stores a surrogate pair, and text that only spells an escape (a backslash, then u0000 or ud800)', () => {
    for (const data of [
      { a: '\ud83d\ude00' },
      { a: '\\u0000' },
      { a: 'C:\\\\u0000' },
      { a: '\\ud800' },
      { a: '\\\\\\ud800x' },
      { a: '\\\\', b: '\\u0000' },
    ]) {
      expect(append(data)).not.toThrow();
    }
  });
});
