import { StreamVersions } from './stream-versions';

const batchOf = (...appends: Array<[string, number]>) => [
  { commit: { appends: appends.map(([streamId, expectedVersion]) => ({ streamId, expectedVersion })) } },
];

describe('StreamVersions: what the writer knows of its streams', () => {
  it('covers a batch only when every stream is known or expected not to exist', () => {
    const known = new StreamVersions(10);
    known.remember(new Map([['a', 3]]));
    expect(known.cover(batchOf(['a', 3], ['new', 0]))).toBe(true);
    expect(known.cover(batchOf(['a', 3], ['b', 2]))).toBe(false);
  });

  it("adopts a lookup's versions, forgets a stream the database does not hold, and drops the oldest past its limit", () => {
    const known = new StreamVersions(10);
    known.remember(
      new Map([
        ['a', 3],
        ['gone', 5],
      ]),
    );
    known.adopt(
      ['a', 'b', 'gone'],
      new Map([
        ['a', 4],
        ['b', 2],
      ]),
    );
    expect([...known.versions]).toEqual([
      ['a', 4],
      ['b', 2],
    ]);
    known.remember(new Map(Array.from({ length: 10 }, (_, i): [string, number] => [`s${i}`, i + 1])));
    expect(known.versions.size).toBeLessThanOrEqual(10);
    expect(known.versions.get('s9')).toBe(10);
    expect(known.versions.has('a')).toBe(false);
    known.clear();
    expect(known.versions.size).toBe(0);
  });
});
