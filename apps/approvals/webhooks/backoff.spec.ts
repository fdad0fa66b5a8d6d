import { afterFailure, attemptResult, DEFAULT_BACKOFF_MS, parseBackoff } from './backoff';

describe('webhook backoff', () => {
  const now = new Date('2026-11-25T12:00:00Z');

  it('retries after each delay of the schedule in turn, then gives up', () => {
    const schedule = [100, 200, 400];
    expect(afterFailure(1, schedule, now)).toEqual(new Date('2026-11-25T12:00:00.100Z'));
    expect(afterFailure(2, schedule, now)).toEqual(new Date('2026-11-25T12:00:00.200Z'));
    expect(afterFailure(3, schedule, now)).toEqual(new Date('2026-11-25T12:00:00.400Z'));
    expect(afterFailure(4, schedule, now)).toBe('dead');
    // A dead letter sent again by hand that fails is dead again at once.
    expect(afterFailure(5, schedule, now)).toBe('dead');
  });

  it('by default grows from 5 s and keeps trying for at least 24 hours', () => {
    expect(DEFAULT_BACKOFF_MS[0]).toBe(5_000);
    for (let i = 1; i < DEFAULT_BACKOFF_MS.length; i++)
      expect(DEFAULT_BACKOFF_MS[i]).toBeGreaterThanOrEqual(DEFAULT_BACKOFF_MS[i - 1]);
    expect(DEFAULT_BACKOFF_MS.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(24 * 3_600_000);
  });

  it('reads the configured schedule, or takes the default', () => {
    expect(parseBackoff('100, 200,300')).toEqual([100, 200, 300]);
    expect(parseBackoff(undefined)).toBe(DEFAULT_BACKOFF_MS);
  });

  it('judges an attempt: a 2xx delivers, any other answer or none is retried, then dead', () => {
    const at = new Date('2026-11-25T11:59:59Z');
    expect(attemptResult({ status: 204 }, 1, [100], at, now)).toEqual({ at, status: 204, outcome: 'delivered' });
    expect(attemptResult({ status: 500 }, 1, [100], at, now)).toEqual({
      at,
      status: 500,
      error: 'answered 500',
      outcome: 'retry',
      nextAttemptAt: new Date('2026-11-25T12:00:00.100Z'),
    });
    expect(attemptResult({ status: 302 }, 1, [100], at, now)).toMatchObject({ status: 302, outcome: 'retry' });
    expect(attemptResult({ error: 'connect ECONNREFUSED' }, 2, [100], at, now)).toEqual({
      at,
      error: 'connect ECONNREFUSED',
      outcome: 'dead',
    });
  });
});
