import fc from 'fast-check';
import { holdsText } from './ledger-reaction';

const bytes = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));

describe('holdsText (a reaction skipping events that cannot concern it)', () => {
  const wait = holdsText('"decision":"wait"');

  it('finds a member wherever it is nested in compact JSON, and only then', () => {
    const decided = (decision: string) => ({ type: 'ActionDecided', data: { action: { system: 'shop' }, decision: { decision, reason: 'rule', policy: { jobType: 'x' } } } });
    expect(wait(bytes(decided('wait')))).toBe(true);
    expect(wait(bytes(decided('run')))).toBe(false);
    expect(wait(bytes(decided('stop')))).toBe(false);
  });

  it('never says false for JSON that holds the member, wherever it is', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.jsonValue(), (before, after) => {
        expect(wait(bytes({ before, nested: { decision: 'wait' }, after }))).toBe(true);
      }),
    );
    // Inside a string the quotes are escaped, so those are not the member's bytes.
    expect(wait(bytes({ note: 'a "decision":"wait" in a string' }))).toBe(false);
  });

  it('reads only the message bytes of a view into a larger buffer', () => {
    const whole = bytes({ decision: 'wait', filler: 'x' });
    const padded = new Uint8Array(whole.length + 8);
    padded.set(whole, 4);
    expect(wait(padded.subarray(4, 4 + whole.length))).toBe(true);
    expect(wait(padded.subarray(4, 12))).toBe(false);
  });
});
