import { rememberRecent, SegmentedCache } from './recent';

describe('rememberRecent', () => {
  it('keeps the most recently used entries, dropping the least recently used tenth once past the limit', () => {
    const map = new Map<number, string>();
    for (let i = 1; i <= 20; i++) rememberRecent(map, i, `v${i}`, 20);
    rememberRecent(map, 1, 'again', 20); // used again: now the most recent
    rememberRecent(map, 21, 'v21', 20); // 21 entries: the two least recently used go
    expect([...map.keys()]).toEqual([...Array.from({ length: 17 }, (_, i) => i + 4), 1, 21]);
    expect(map.get(1)).toBe('again');
  });
});

describe('SegmentedCache', () => {
  it('keeps what was used twice through a flood of entries used once', () => {
    const cache = new SegmentedCache<string, number>(10);
    cache.remember('active', 1);
    cache.remember('active', 2); // used again: protected
    for (let i = 0; i < 1_000; i++) cache.remember(`once-${i}`, i);
    expect(cache.get('active')).toBe(2);
    expect(cache.has('once-0')).toBe(false);
    expect(cache.get('once-999')).toBe(999);
    expect(cache.size).toBeLessThanOrEqual(10);
  });

  it('never holds more than its limit; the protected part drops its least recently used back on probation', () => {
    const cache = new SegmentedCache<number, string>(10); // 8 protected, 2 on probation
    for (let i = 1; i <= 9; i++) {
      cache.remember(i, 'new');
      cache.remember(i, 'again');
      expect(cache.size).toBeLessThanOrEqual(10);
    }
    // The ninth protected entry pushed the least recently used one (1) back on probation, where it still answers.
    expect(cache.get(1)).toBe('again');
    // Two new entries fill probation: 1, the oldest there, goes; the protected ones stay.
    cache.remember(100, 'x');
    cache.remember(101, 'x');
    expect(cache.has(1)).toBe(false);
    for (let i = 2; i <= 9; i++) expect(cache.get(i)).toBe('again');
    expect(cache.size).toBe(10);
  });

  it('forgets an entry from either part', () => {
    const cache = new SegmentedCache<string, number>(10);
    cache.remember('probation', 1);
    cache.remember('protected', 1);
    cache.remember('protected', 2);
    cache.delete('probation');
    cache.delete('protected');
    expect(cache.has('probation') || cache.has('protected')).toBe(false);
    expect(cache.size).toBe(0);
  });
});
