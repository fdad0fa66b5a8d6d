import { LayeredMap } from './layered-map';

describe('LayeredMap', () => {
  it('behaves as a Map through any sequence of sets: entries, order, size, get and has', () => {
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const reference = new Map<string, number>();
    let layered = LayeredMap.of(new Map<string, number>());
    const versions: Array<[LayeredMap<string, number>, Array<[string, number]>]> = [];
    for (let i = 0; i < 3000; i++) {
      // Mostly new keys, some set again (they keep their place).
      const key =
        random() < 0.3 && reference.size > 0 ? `k${Math.floor(random() * reference.size)}` : `k${reference.size}`;
      reference.set(key, i);
      layered = layered.with(key, i);
      if (i % 250 === 0) versions.push([layered, [...reference]]);
    }
    expect([...layered]).toEqual([...reference]);
    expect([...layered.keys()]).toEqual([...reference.keys()]);
    expect([...layered.values()]).toEqual([...reference.values()]);
    expect(layered.size).toBe(reference.size);
    for (const key of ['k0', 'k17', `k${reference.size - 1}`, 'missing']) {
      expect(layered.get(key)).toBe(reference.get(key));
      expect(layered.has(key)).toBe(reference.has(key));
    }
    const seen: Array<[string, number]> = [];
    layered.forEach((value, key) => seen.push([key, value]));
    expect(seen).toEqual([...reference]);
    // Every earlier version is unchanged by the sets after it.
    for (const [version, entries] of versions) expect([...version]).toEqual(entries);
  });

  it('starts from a Map without changing it, and is its own start', () => {
    const start = new Map([['a', 1]]);
    const next = LayeredMap.of(start).with('b', 2);
    expect([...start]).toEqual([['a', 1]]);
    expect([...next]).toEqual([
      ['a', 1],
      ['b', 2],
    ]);
    expect(LayeredMap.of(next)).toBe(next);
  });
});
