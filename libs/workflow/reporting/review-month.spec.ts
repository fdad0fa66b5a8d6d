import { WorkgateError } from '@workgate/contracts';
import { reviewMonths } from './review-month';

const now = new Date('2026-11-26T21:00:00.000Z');

describe('the months of a monthly review (UTC calendar months)', () => {
  it('a past month runs from its first instant to the next month, measured at its last instant', () => {
    expect(reviewMonths('2026-03', now)).toEqual({
      month: {
        month: '2026-03',
        from: '2026-03-01T00:00:00.000Z',
        to: '2026-04-01T00:00:00.000Z',
        asOf: '2026-03-31T23:59:59.999Z',
      },
      previous: {
        month: '2026-02',
        from: '2026-02-01T00:00:00.000Z',
        to: '2026-03-01T00:00:00.000Z',
        asOf: '2026-02-28T23:59:59.999Z',
      },
    });
  });

  it('January is compared with the December before; December ends at the new year', () => {
    const jan = reviewMonths('2026-01', now);
    expect(jan.previous).toEqual({
      month: '2025-12',
      from: '2025-12-01T00:00:00.000Z',
      to: '2026-01-01T00:00:00.000Z',
      asOf: '2025-12-31T23:59:59.999Z',
    });
    expect(reviewMonths('2025-12', now).month.to).toBe('2026-01-01T00:00:00.000Z');
    expect(reviewMonths('2024-03', now).previous.asOf).toBe('2024-02-29T23:59:59.999Z');
  });

  it('the current month is the default, measured now', () => {
    expect(reviewMonths(undefined, now).month).toEqual({
      month: '2026-11',
      from: '2026-11-01T00:00:00.000Z',
      to: '2026-12-01T00:00:00.000Z',
      asOf: '2026-11-26T21:00:00.000Z',
    });
    // At the first instant of a month, that month has just begun.
    const first = new Date('2026-12-01T00:00:00.000Z');
    expect(reviewMonths(undefined, first).month).toMatchObject({ month: '2026-12', asOf: '2026-12-01T00:00:00.000Z' });
    expect(reviewMonths(undefined, first).previous.asOf).toBe('2026-11-30T23:59:59.999Z');
    // Its last instant is still that month.
    const last = new Date('2026-11-30T23:59:59.999Z');
    expect(reviewMonths(undefined, last).month.month).toBe('2026-11');
  });

  it.each([['2026-13'], ['2026-00'], ['2026-3'], ['26-03'], ['2026-03-01'], [''], ['1969-12'], ['2026-12'], [3]])(
    'refuses %p naming the month parameter',
    (month) => {
      let error: unknown;
      try {
        reviewMonths(month, now);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(WorkgateError);
      expect(error).toMatchObject({ code: 'validation_failed', details: [{ path: 'month' }] });
    },
  );
});
