import { rememberRecent } from './recent';

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
