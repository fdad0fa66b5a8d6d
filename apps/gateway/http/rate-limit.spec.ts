import { SlidingWindowCounter } from './rate-limit';

const MINUTE = 60_000;

describe('SlidingWindowCounter', () => {
  let now: number;
  const counter = () => new SlidingWindowCounter(() => now);
  const hit = (c: SlidingWindowCounter, key = 'principal:a', limit = 3) => c.increment(key, MINUTE, limit);

  beforeEach(() => (now = 10 * MINUTE)); // a window boundary

  it('lets `limit` requests through in a window, then blocks until the window ends', () => {
    const c = counter();
    expect([hit(c), hit(c), hit(c)].map((r) => [r.totalHits, r.isBlocked])).toEqual([
      [1, false],
      [2, false],
      [3, false],
    ]);
    now += 20_000;
    const over = hit(c);
    expect(over).toMatchObject({ isBlocked: true, totalHits: 4, timeToExpire: 40 });
    // The window's three requests count fully until it ends: blocked for its remaining 40 s.
    expect(over.timeToBlockExpire).toBe(41);
    expect(hit(c, 'principal:b').isBlocked).toBe(false); // another key has its own budget
  });

  it('weighs the previous window by how much of it is still within the last minute', () => {
    const c = counter();
    for (let i = 0; i < 3; i++) hit(c);
    now += MINUTE + 30_000; // half-way through the next window: the previous 3 weigh 1.5
    expect(hit(c).isBlocked).toBe(false); // 0 + 1.5 < 3
    expect(hit(c).isBlocked).toBe(false); // 1 + 1.5 < 3
    const over = hit(c); // 2 + 1.5 >= 3
    expect(over.isBlocked).toBe(true);
    // Under the limit again once the previous window weighs less than 1: 10 s from now.
    expect(over.timeToBlockExpire).toBe(11);
    now += 11_000;
    expect(hit(c).isBlocked).toBe(false);
  });

  it('forgets a window two windows old, and keys idle that long', () => {
    const c = counter();
    for (let i = 0; i < 3; i++) hit(c);
    now += 2 * MINUTE;
    expect(hit(c)).toMatchObject({ isBlocked: false, totalHits: 1 });
    now += 3 * MINUTE;
    hit(c, 'principal:b'); // sweeps
    expect(c.tracks('principal:a')).toBe(false);
  });

  it('does not move back when the clock does', () => {
    const c = counter();
    for (let i = 0; i < 3; i++) hit(c);
    now -= 30 * MINUTE;
    expect(hit(c)).toMatchObject({ isBlocked: true, timeToExpire: 60 });
  });

  it('counts bytes as the cost of each request: refused once the budget is spent, the last admitted one counted whole', () => {
    const c = counter();
    const bytes = (n: number) => c.increment('ip:a', MINUTE, 3_000, n);
    expect([bytes(1_000), bytes(1_500), bytes(1_000)].map((r) => r.isBlocked)).toEqual([false, false, false]);
    const over = bytes(1);
    expect(over).toMatchObject({ isBlocked: true, totalHits: 3_501 });
    // Over the budget until the window ends: the window's 3,500 bytes count fully until then.
    expect(over.timeToBlockExpire).toBe(61);
    expect(c.increment('ip:b', MINUTE, 3_000, 2_000).isBlocked).toBe(false);
  });

  it('costs the same at any rate: a million requests in one window', () => {
    const c = counter();
    for (let i = 0; i < 1_000_000; i++) c.increment('principal:a', MINUTE, 2_000_000);
    expect(c.increment('principal:a', MINUTE, 2_000_000)).toMatchObject({
      totalHits: 1_000_001,
      isBlocked: false,
    });
  });
});
