import {
  foldSubtrees,
  Hash,
  Node,
  PackedHash,
  packedLeafHash,
  packedNodeHash,
  packHash,
  subtrees,
  unpackHash,
} from './merkle';

/**
 * The stored tree in the C2SP tlog-tiles layout: a tile of level L ≥ 1 holds the hashes of tree
 * level 8·L, 256 of them (a full tile) or fewer (a partial tile on the tree's right edge); tile N
 * of a level holds the hashes of indexes 256·N to 256·N + width − 1. A level-0 tile stores only
 * what is needed: its 256 leaf hashes are recomputed from the ledger rows' chain hashes, so it
 * holds the 16 hashes of tree level 4 over them (written once whole; the unfinished one on the
 * right edge is computed from its leaves). Any node below level 8 is then at most 15 leaves or 8
 * level-4 hashes away. Pure functions and the writer's right edge; reading and writing the rows is
 * ledger-tree.ts.
 */
export const TILE_HEIGHT = 8;
export const TILE_WIDTH = 2 ** TILE_HEIGHT;
/** The tree level a level-0 tile holds, and how many hashes of it. */
export const LEVEL0_STORED = 4;
export const LEVEL0_WIDTH = 2 ** (TILE_HEIGHT - LEVEL0_STORED);

/** A stored tile: its level, its index in its level, and its `width` hashes concatenated. */
export interface TileRow {
  level: number;
  index: number;
  width: number;
  hashes: Buffer;
}

/** The tree level a tile level stores. */
export const storedLevel = (tileLevel: number) => (tileLevel === 0 ? LEVEL0_STORED : tileLevel * TILE_HEIGHT);
/** How many hashes a full tile of a tile level holds. */
export const fullWidth = (tileLevel: number) => (tileLevel === 0 ? LEVEL0_WIDTH : TILE_WIDTH);

/** Whether the tree level's hashes are stored in tiles (levels 4, 8, 16, …). */
export const isTiledLevel = (level: number) => level === LEVEL0_STORED || (level > 0 && level % TILE_HEIGHT === 0);

/** Where a node of a tiled tree level is: its tile (level, index) and its place in it. */
export function tileOf(node: Node): { level: number; index: number; offset: number } {
  if (!isTiledLevel(node.level)) throw new RangeError(`tree level ${node.level} is not stored in tiles`);
  const level = node.level === LEVEL0_STORED ? 0 : node.level / TILE_HEIGHT;
  const width = fullWidth(level);
  return { level, index: Math.floor(node.index / width), offset: node.index % width };
}

/** The stored tree level at or below a level (0: the leaves). */
function storedBelow(level: number): number {
  if (level >= TILE_HEIGHT) return level - (level % TILE_HEIGHT);
  return level >= LEVEL0_STORED ? LEVEL0_STORED : 0;
}

/**
 * The nodes a node's hash is computed from: itself at level 0 or a tiled level; otherwise its
 * descendants at the stored level below (or the leaves), 2 to 128 of them, left to right.
 */
export function partsOf(node: Node): Node[] {
  const base = storedBelow(node.level);
  if (base === node.level) return [node];
  const width = 2 ** (node.level - base);
  return Array.from({ length: width }, (_, i) => ({ level: base, index: node.index * width + i }));
}

/** The nodes one stored level down that a tiled node is the root of (for a node whose tile is not stored): 16 or 256. */
export function childrenOf(node: Node): Node[] {
  if (!isTiledLevel(node.level)) throw new RangeError(`tree level ${node.level} is not stored in tiles`);
  const base = storedBelow(node.level - 1);
  const width = 2 ** (node.level - base);
  return Array.from({ length: width }, (_, i) => ({ level: base, index: node.index * width + i }));
}

/** How many leaves the tiles of level 1 cover when its last stored tile is `index` with `width` hashes. */
export const leavesCovered = (index: number, width: number) => (index * TILE_WIDTH + width) * TILE_WIDTH;

/**
 * The nodes of the unfinished tile of each tile level for a tree of `size` leaves (level 0
 * first, then 1, …, as far as the tree reaches): what `TreeTail.of` needs.
 */
export function edgeNodes(size: number): Node[][] {
  const edges: Node[][] = [];
  for (let level = 0; level === 0 || 2 ** storedLevel(level) <= size; level++) {
    const count = Math.floor(size / 2 ** storedLevel(level));
    const start = count - (count % fullWidth(level));
    edges.push(Array.from({ length: count - start }, (_, i) => ({ level: storedLevel(level), index: start + i })));
  }
  return edges;
}

/**
 * What appending needs of the tree: its right edge (the compact range: one hash per set bit of
 * the size, largest subtree first) and the hashes of the unfinished tile of each tile level (at
 * most 15 of level 4, 255 of the others), so that a grown tile is written whole. Appending chain
 * hashes answers the tile rows they grew. Hashes are kept packed (see `PackedHash`): this is the
 * writer's hashing, two to three digests per event.
 */
export class TreeTail {
  private constructor(
    private leaves: number,
    /** The hashes of `subtrees(0, leaves)`, left to right. */
    private readonly frontier: PackedHash[],
    /** edges[L]: the hashes of the unfinished tile of level L, left to right. */
    private readonly edges: PackedHash[][],
  ) {}

  static empty(): TreeTail {
    return new TreeTail(0, [], [[]]);
  }

  /** From the hashes of `subtrees(0, size)` and of `edgeNodes(size)`. */
  static of(size: number, subtreeHashes: Hash[], edges: Hash[][]): TreeTail {
    const expected = edgeNodes(size);
    if (edges.length !== expected.length || edges.some((e, i) => e.length !== expected[i].length))
      throw new Error(`the unfinished tiles of a tree of ${size} do not have these sizes`);
    if (subtreeHashes.length !== subtrees(0, size).length)
      throw new Error(`a tree of ${size} has ${subtrees(0, size).length} subtrees, not ${subtreeHashes.length}`);
    return new TreeTail(
      size,
      subtreeHashes.map(packHash),
      edges.map((e) => e.map(packHash)),
    );
  }

  get size(): number {
    return this.leaves;
  }

  root(): Hash {
    return foldSubtrees(this.frontier.map(unpackHash));
  }

  /** A copy that grows on its own (appending to it leaves this one as it is). */
  clone(): TreeTail {
    return new TreeTail(
      this.leaves,
      [...this.frontier],
      this.edges.map((e) => [...e]),
    );
  }

  /**
   * Appends the leaves of these chain hashes (hex); answers the tiles they grew: each full tile
   * once, each partial tile of level ≥ 1 at its new width (level 0 only whole).
   */
  append(chainHashes: string[]): TileRow[] {
    const rows: TileRow[] = [];
    const grown = new Set<number>();
    for (const chainHash of chainHashes) {
      let hash = packedLeafHash(chainHash);
      let level = 0;
      let index = this.leaves;
      // Each trailing 1 bit of the old size is a subtree of the same size to merge with; each merge is a new node.
      while ((index & 1) === 1) {
        hash = packedNodeHash(this.frontier.pop()!, hash);
        level++;
        index = (index - 1) / 2;
        if (!isTiledLevel(level)) continue;
        const tileLevel = level === LEVEL0_STORED ? 0 : level / TILE_HEIGHT;
        const edge = (this.edges[tileLevel] ??= []);
        edge.push(hash);
        if (edge.length < fullWidth(tileLevel)) {
          if (tileLevel > 0) grown.add(tileLevel);
          continue;
        }
        rows.push(tileRow(tileLevel, Math.floor(index / fullWidth(tileLevel)), edge));
        this.edges[tileLevel] = [];
        grown.delete(tileLevel);
      }
      this.frontier.push(hash);
      this.leaves++;
    }
    for (const level of grown) {
      const count = Math.floor(this.leaves / 2 ** storedLevel(level));
      rows.push(tileRow(level, Math.floor(count / TILE_WIDTH), this.edges[level]));
    }
    return rows;
  }
}

const tileRow = (level: number, index: number, edge: PackedHash[]): TileRow => ({
  level,
  index,
  width: edge.length,
  hashes: Buffer.from(edge.join(''), 'latin1'),
});
