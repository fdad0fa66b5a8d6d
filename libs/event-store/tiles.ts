import { Hash, MerkleFrontier, Node } from './merkle';

/**
 * The stored tree in the C2SP tlog-tiles layout: a tile of level L holds the hashes of tree level
 * 8·L, 256 of them (a full tile) or fewer (a partial tile on the tree's right edge); tile N of a
 * level holds the hashes of indexes 256·N to 256·N + width − 1. Level-0 tiles (leaf hashes) are
 * not stored: a leaf's hash is recomputed from its ledger row's chain hash. Pure functions and
 * the writer's right edge; reading and writing the rows is ledger-tree.ts.
 */
export const TILE_HEIGHT = 8;
export const TILE_WIDTH = 2 ** TILE_HEIGHT;

/** A stored tile: level ≥ 1, its index in its level, and its `width` hashes concatenated. */
export interface TileRow {
  level: number;
  index: number;
  width: number;
  hashes: Buffer;
}

/** Whether the tree level's hashes are stored in tiles (levels 8, 16, …). */
export const isTiledLevel = (level: number) => level > 0 && level % TILE_HEIGHT === 0;

/** Where a node of a tiled tree level is: its tile (level, index) and its place in it. */
export function tileOf(node: Node): { level: number; index: number; offset: number } {
  if (!isTiledLevel(node.level)) throw new RangeError(`tree level ${node.level} is not stored in tiles`);
  return {
    level: node.level / TILE_HEIGHT,
    index: Math.floor(node.index / TILE_WIDTH),
    offset: node.index % TILE_WIDTH,
  };
}

/**
 * The nodes a node's hash is computed from: itself at level 0 or a tiled level; otherwise its
 * descendants at the tiled level below (or the leaves), 2 to 128 of them, left to right.
 */
export function partsOf(node: Node): Node[] {
  const rest = node.level % TILE_HEIGHT;
  if (rest === 0) return [node];
  const width = 2 ** rest;
  return Array.from({ length: width }, (_, i) => ({ level: node.level - rest, index: node.index * width + i }));
}

/** The 256 nodes one tile level down that a tiled node is the root of (for a node whose tile is not stored). */
export function childrenOf(node: Node): Node[] {
  if (!isTiledLevel(node.level)) throw new RangeError(`tree level ${node.level} is not stored in tiles`);
  return Array.from({ length: TILE_WIDTH }, (_, i) => ({
    level: node.level - TILE_HEIGHT,
    index: node.index * TILE_WIDTH + i,
  }));
}

/** How many leaves the tiles of level 1 cover when its last stored tile is `index` with `width` hashes. */
export const leavesCovered = (index: number, width: number) => (index * TILE_WIDTH + width) * TILE_WIDTH;

/** The nodes of the unfinished tile of each level for a tree of `size` leaves (level 1 first): what `TreeTail.of` needs. */
export function edgeNodes(size: number): Node[][] {
  const edges: Node[][] = [];
  for (let level = 1; TILE_WIDTH ** level <= size; level++) {
    const count = Math.floor(size / TILE_WIDTH ** level);
    const start = count - (count % TILE_WIDTH);
    edges.push(Array.from({ length: count - start }, (_, i) => ({ level: level * TILE_HEIGHT, index: start + i })));
  }
  return edges;
}

/**
 * What appending needs of the tree: its right edge (the compact range: one hash per set bit of
 * the size) and the hashes of the unfinished tile of each tile level (at most 255 each), so that
 * a grown tile is written whole. Appending leaves answers the tile rows they grew.
 */
export class TreeTail {
  private constructor(
    private readonly frontier: MerkleFrontier,
    /** edges[L - 1]: the hashes of the unfinished tile of level L, left to right. */
    private readonly edges: Hash[][],
  ) {}

  static empty(): TreeTail {
    return new TreeTail(new MerkleFrontier(), []);
  }

  /** From the hashes of `subtrees(0, size)` and of `edgeNodes(size)`. */
  static of(size: number, subtreeHashes: Hash[], edges: Hash[][]): TreeTail {
    const expected = edgeNodes(size);
    if (edges.length !== expected.length || edges.some((e, i) => e.length !== expected[i].length))
      throw new Error(`the unfinished tiles of a tree of ${size} do not have these sizes`);
    return new TreeTail(
      MerkleFrontier.of(size, subtreeHashes),
      edges.map((e) => [...e]),
    );
  }

  get size(): number {
    return this.frontier.leaves;
  }

  root(): Hash {
    return this.frontier.root();
  }

  /** A copy that grows on its own (appending to it leaves this one as it is). */
  clone(): TreeTail {
    return new TreeTail(
      this.frontier.clone(),
      this.edges.map((e) => [...e]),
    );
  }

  /** Appends leaf hashes; answers the tiles they grew: each full tile once, each partial tile at its new width. */
  append(leaves: Hash[]): TileRow[] {
    const rows: TileRow[] = [];
    const grown = new Set<number>();
    for (const leaf of leaves) {
      for (const node of this.frontier.append(leaf)) {
        if (!isTiledLevel(node.level)) continue;
        const level = node.level / TILE_HEIGHT;
        const edge = (this.edges[level - 1] ??= []);
        edge.push(node.hash);
        if (edge.length < TILE_WIDTH) {
          grown.add(level);
          continue;
        }
        rows.push({
          level,
          index: Math.floor(node.index / TILE_WIDTH),
          width: TILE_WIDTH,
          hashes: Buffer.concat(edge),
        });
        this.edges[level - 1] = [];
        grown.delete(level);
      }
    }
    for (const level of grown) {
      const edge = this.edges[level - 1];
      const count = Math.floor(this.size / TILE_WIDTH ** level);
      rows.push({ level, index: Math.floor(count / TILE_WIDTH), width: edge.length, hashes: Buffer.concat(edge) });
    }
    return rows;
  }
}
