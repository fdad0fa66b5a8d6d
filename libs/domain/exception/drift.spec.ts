import { driftCheckedAt, driftSignal } from './drift';

const T0 = '2026-11-22T10:00:00.000Z';
const at = (h: number) => new Date(Date.parse(T0) + h * 3600_000).toISOString();

describe('drift signal', () => {
  it('signals a code repeating N times in the window, once per window', () => {
    const raised = [at(0), at(1), at(2)];
    expect(driftSignal('CUSTOMER_UNREACHABLE', raised.slice(0, 2), at(3), 24 * 3600_000, 3)).toBeNull();
    const id = driftSignal('CUSTOMER_UNREACHABLE', raised, at(3), 24 * 3600_000, 3);
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(driftSignal('CUSTOMER_UNREACHABLE', [...raised, at(3)], at(3.5), 24 * 3600_000, 3)).toBe(id);
    expect(driftSignal('CUSTOMER_UNREACHABLE', raised, at(40), 24 * 3600_000, 3)).toBeNull();
  });

  it('signals whatever order the raises are recorded in, and a late check finds the window of its own time', () => {
    const window = 24 * 3600_000;
    // Raised at 0, 1 and 2 (hours), recorded 0, 2, 1: the check of the raise at 2 sees two of
    // them, the check of the raise at 1 (recorded last) sees all three.
    const whenTwoRecorded = [at(0), at(2)];
    expect(
      driftSignal('ADDRESS_INVALID', whenTwoRecorded, driftCheckedAt(whenTwoRecorded, at(2), window, 3), window, 3),
    ).toBeNull();
    const all = [at(0), at(2), at(1)];
    const signal = driftSignal('ADDRESS_INVALID', [at(0), at(1), at(2)], at(2), window, 3);
    expect(driftCheckedAt(all, at(1), window, 3)).toBe(at(2));
    expect(driftSignal('ADDRESS_INVALID', all, driftCheckedAt(all, at(1), window, 3), window, 3)).toBe(signal);
    expect(driftSignal('ADDRESS_INVALID', all, at(1), window, 3)).toBeNull(); // as of its own time, it never signals
    // Checked late, with a much later raise known: still the window that holds the raise checked.
    const later = [...all, at(24 * 30)];
    expect(driftCheckedAt(later, at(0), window, 3)).toBe(at(2));
    expect(driftSignal('ADDRESS_INVALID', later, driftCheckedAt(later, at(0), window, 3), window, 3)).toBe(signal);
  });
});
