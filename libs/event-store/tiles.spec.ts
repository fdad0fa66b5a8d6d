import { createHash } from 'node:crypto';
import { childrenOf, edgeNodes, leavesCovered, partsOf, TileRow, tileOf, TreeTail } from './tiles';

/**
 * The tiles against RFC 6962 computed here the plain way: every level of the tree as an array,
 * each hash SHA-256 of its prefix byte and its children, nothing taken from merkle.ts.
 */
const sha = (...parts: Buffer[]) => createHash('sha256').update(Buffer.concat(parts)).digest();
/** The chain hash of event i (hex): what the writer appends. */
const chain = (i: number) => createHash('sha256').update(`event ${i}`).digest('hex');
const leafCache: Buffer[] = [];
const leaf = (i: number) => (leafCache[i] ??= sha(Buffer.from([0]), Buffer.from(chain(i), 'hex')));
/** levels[k][i]: the root of leaves [i·2^k, (i + 1)·2^k), for the complete subtrees among `n` leaves. */
function levelsOf(n: number): Buffer[][] {
  const levels = [Array.from({ length: n }, (_, i) => leaf(i))];
  while (levels[levels.length - 1].length > 1) {
    const below = levels[levels.length - 1];
    levels.push(
      Array.from({ length: Math.floor(below.length / 2) }, (_, i) =>
        sha(Buffer.from([1]), below[2 * i], below[2 * i + 1]),
      ),
    );
  }
  return levels;
}
/** MTH of leaves [lo, hi) (RFC 6962 2.1), recursively from the leaves. */
function mth(levels: Buffer[][], lo: number, hi: number): Buffer {
  const n = hi - lo;
  // A complete subtree is a node of the plain levels.
  if ((n & (n - 1)) === 0 && lo % n === 0) return levels[Math.log2(n)][lo / n];
  let k = 1;
  while (k * 2 < n) k *= 2;
  return sha(Buffer.from([1]), mth(levels, lo, lo + k), mth(levels, lo + k, hi));
}
/** Level-0 tiles hold 16 hashes of tree level 4; the others 256 of level 8·L. */
const tileHashes = (levels: Buffer[][], level: number, index: number, width: number) =>
  level === 0
    ? Buffer.concat(levels[4].slice(16 * index, 16 * index + width))
    : Buffer.concat(levels[8 * level].slice(256 * index, 256 * index + width));

/** Appends leaves [0, n) in commits of the given sizes (cycled); answers the tail and every tile row written. */
function grow(n: number, commits: number[]): { tail: TreeTail; rows: TileRow[] } {
  const tail = TreeTail.empty();
  const rows: TileRow[] = [];
  for (let at = 0, c = 0; at < n; c++) {
    const size = Math.min(commits[c % commits.length], n - at);
    rows.push(...tail.append(Array.from({ length: size }, (_, i) => chain(at + i))));
    at += size;
  }
  return { tail, rows };
}

describe('the tree stored as tiles (C2SP tlog-tiles, 256 hashes a tile)', () => {
  it('places tree nodes in tiles: level 8·L is tile level L, 256 indexes a tile', () => {
    expect(tileOf({ level: 8, index: 0 })).toEqual({ level: 1, index: 0, offset: 0 });
    expect(tileOf({ level: 8, index: 255 })).toEqual({ level: 1, index: 0, offset: 255 });
    expect(tileOf({ level: 8, index: 256 })).toEqual({ level: 1, index: 1, offset: 0 });
    expect(tileOf({ level: 16, index: 513 })).toEqual({ level: 2, index: 2, offset: 1 });
    expect(tileOf({ level: 4, index: 17 })).toEqual({ level: 0, index: 1, offset: 1 });
    expect(() => tileOf({ level: 5, index: 0 })).toThrow(RangeError);
    expect(partsOf({ level: 0, index: 7 })).toEqual([{ level: 0, index: 7 }]);
    expect(partsOf({ level: 8, index: 3 })).toEqual([{ level: 8, index: 3 }]);
    expect(partsOf({ level: 2, index: 3 })).toEqual([12, 13, 14, 15].map((index) => ({ level: 0, index })));
    expect(partsOf({ level: 10, index: 1 })).toEqual([4, 5, 6, 7].map((index) => ({ level: 8, index })));
    expect(partsOf({ level: 4, index: 3 })).toEqual([{ level: 4, index: 3 }]);
    expect(partsOf({ level: 7, index: 1 })).toEqual(
      [8, 9, 10, 11, 12, 13, 14, 15].map((index) => ({ level: 4, index })),
    );
    expect(partsOf({ level: 15, index: 0 })).toHaveLength(128);
    expect(childrenOf({ level: 4, index: 2 })).toEqual(
      Array.from({ length: 16 }, (_, i) => ({ level: 0, index: 32 + i })),
    );
    expect(childrenOf({ level: 8, index: 1 })).toEqual(
      Array.from({ length: 16 }, (_, i) => ({ level: 4, index: 16 + i })),
    );
    expect(childrenOf({ level: 16, index: 1 })[0]).toEqual({ level: 8, index: 256 });
    expect(childrenOf({ level: 16, index: 1 })[255]).toEqual({ level: 8, index: 511 });
    expect(leavesCovered(0, 1)).toBe(256);
    expect(leavesCovered(1, 3)).toBe(259 * 256);
    expect(edgeNodes(15)).toEqual([[]]);
    expect(edgeNodes(40)).toEqual([[0, 1].map((index) => ({ level: 4, index }))]);
    expect(edgeNodes(255).map((e) => e.length)).toEqual([15]);
    expect(edgeNodes(256)).toEqual([[], [{ level: 8, index: 0 }]]);
    expect(edgeNodes(511)).toEqual([
      Array.from({ length: 15 }, (_, i) => ({ level: 4, index: 16 + i })),
      [{ level: 8, index: 0 }],
    ]);
    expect(edgeNodes(65_535).map((e) => e.length)).toEqual([15, 255]);
    expect(edgeNodes(65_536).map((e) => e.length)).toEqual([0, 0, 1]);
    expect(edgeNodes(65_536 + 3 * 256 + 40).map((e) => e.length)).toEqual([2, 3, 1]);
  });

  it.each([
    [255, [1]],
    [256, [1]],
    [257, [7, 1, 64]],
    [511, [100]],
    [512, [256]],
    [1_000, [3, 300, 1]],
  ])('writes the tiles of %d leaves (commits of %j): each the hashes RFC 6962 gives', (n, commits) => {
    const levels = levelsOf(n);
    const { tail, rows } = grow(n, commits);
    expect(tail.size).toBe(n);
    expect(tail.root().equals(mth(levels, 0, n))).toBe(true);
    for (const r of rows) {
      expect(r.hashes.length).toBe(32 * r.width);
      expect([r.level, r.index, r.width, r.hashes.equals(tileHashes(levels, r.level, r.index, r.width))]).toEqual([
        r.level,
        r.index,
        r.width,
        true,
      ]);
    }
    // The widest row of each tile of level 1 covers every node of level 8 the tree has; level 0
    // has one whole tile (16 hashes of level 4) per 256 leaves; no tile is written twice at one width.
    const widest = new Map<number, number>();
    for (const r of rows.filter((r) => r.level === 1)) widest.set(r.index, Math.max(widest.get(r.index) ?? 0, r.width));
    expect([...widest].reduce((sum, [, w]) => sum + w, 0)).toBe(Math.floor(n / 256));
    const level0 = rows.filter((r) => r.level === 0);
    expect(level0.map((r) => `${r.index}/${r.width}`)).toEqual(
      Array.from({ length: Math.floor(n / 256) }, (_, i) => `${i}/16`),
    );
    expect(new Set(rows.map((r) => `${r.level}/${r.index}/${r.width}`)).size).toBe(rows.length);
  });

  it('writes a partial tile at each width it grows to, one per commit, and the full tile once', () => {
    const { rows } = grow(1_024, [128]);
    expect(rows.map((r) => `${r.level}/${r.index}/${r.width}`)).toEqual([
      '0/0/16',
      '1/0/1',
      '0/1/16',
      '1/0/2',
      '0/2/16',
      '1/0/3',
      '0/3/16',
      '1/0/4',
    ]);
  });

  it('crosses into tile level 2 at 65,536 leaves, and goes on the same from a tail rebuilt from stored hashes', () => {
    const n = 65_536 + 600;
    const levels = levelsOf(n);
    const { tail, rows } = grow(n, [1_000, 1, 37]);
    expect(tail.root().equals(mth(levels, 0, n))).toBe(true);
    const level2 = rows.filter((r) => r.level === 2);
    expect(level2.map((r) => `${r.index}/${r.width}`)).toEqual(['0/1']);
    expect(level2[0].hashes.equals(mth(levels, 0, 65_536))).toBe(true);
    expect(rows.filter((r) => r.level === 0)).toHaveLength(258);
    const full = rows.filter((r) => r.level === 1 && r.width === 256);
    expect(full.map((r) => r.index)).toEqual([0]);
    expect(full[0].hashes.equals(tileHashes(levels, 1, 0, 256))).toBe(true);
    for (const r of rows) expect(r.hashes.equals(tileHashes(levels, r.level, r.index, r.width))).toBe(true);

    // Rebuilt at 65,535 from hashes computed here, it writes what the grown one wrote from there on.
    const at = 65_535;
    const subtreeHashes = [32_768, 16_384, 8_192, 4_096, 2_048, 1_024, 512, 256, 128, 64, 32, 16, 8, 4, 2, 1].reduce(
      (acc: { lo: number; hashes: Buffer[] }, width) => ({
        lo: acc.lo + width,
        hashes: [...acc.hashes, mth(levels, acc.lo, acc.lo + width)],
      }),
      { lo: 0, hashes: [] },
    ).hashes;
    const rebuilt = TreeTail.of(at, subtreeHashes, [levels[4].slice(4080, 4095), levels[8].slice(0, 255)]);
    const more = rebuilt.append([at, at + 1, at + 2].map(chain));
    expect(rebuilt.root().equals(mth(levels, 0, at + 3))).toBe(true);
    expect(more.map((r) => `${r.level}/${r.index}/${r.width}`)).toEqual(['0/255/16', '1/0/256', '2/0/1']);
    for (const r of more) expect(r.hashes.equals(tileHashes(levels, r.level, r.index, r.width))).toBe(true);
    expect(() => TreeTail.of(at, subtreeHashes, [levels[8].slice(0, 255)])).toThrow();
  });

  it('leaves the tail it was cloned from as it was', () => {
    const { tail } = grow(300, [300]);
    const root = tail.root();
    const copy = tail.clone();
    copy.append([chain(300)]);
    expect(tail.size).toBe(300);
    expect(tail.root().equals(root)).toBe(true);
    expect(copy.size).toBe(301);
  });
});
