import { Client, Pool } from 'pg';
import {
  consistencyRanges,
  foldSubtrees,
  Hash,
  inclusionRanges,
  leafHash,
  MerkleFrontier,
  Node,
  nodeHash,
  nodeKey,
  nodesOf,
  resolveRanges,
  subtrees,
} from './merkle';
import {
  childrenOf,
  edgeNodes,
  isTiledLevel,
  leavesCovered,
  LEVEL0_STORED,
  LEVEL0_WIDTH,
  partsOf,
  TILE_WIDTH,
  TileRow,
  tileOf,
  TreeTail,
} from './tiles';
import { TreeCache, treeCacheOf } from './tree-cache';

type Queryable = Pick<Pool, 'query'> | Pick<Client, 'query'>;

/** The root of a complete subtree from its parts, left to right (a power of two of them). */
function combine(parts: Hash[]): Hash {
  let level = parts;
  while (level.length > 1)
    level = Array.from({ length: level.length / 2 }, (_, i) => nodeHash(level[2 * i], level[2 * i + 1]));
  return level[0];
}

/**
 * The hashes of these nodes: leaves from the ledger's chain hashes (leaf i is position i + 1),
 * nodes of levels 4, 8, 16, … from `ledger_tiles` (the widest tile stored), the others combined
 * from those. The level-0 tile a tree has not finished is never written: its level-4 nodes are
 * combined from their leaves straight away. A tiled node whose tile is not written yet (the writer
 * writes a commit's tiles with the next one) is combined from the nodes one stored level down (16
 * or 256 of them), read in a second round. Tile rows, and the nodes combined from them alone, are
 * kept for the next call (`TreeCache`): a proof then reads its leaves only. Throws naming a node
 * that is not there (a size beyond what is recorded).
 */
export async function readNodes(db: Queryable, nodes: Node[]): Promise<Map<string, Hash>> {
  const cache = treeCacheOf(db);
  // What this call uses is held here, so a concurrent call that evicts it from the cache changes nothing.
  /** Tile rows, from the cache or read. */
  const tiles = new Map<string, Buffer>();
  /** Leaves read, and nodes combined from them. */
  const found = new Map<string, Hash>();
  /** Nodes combined from tiles alone, from the cache or combined. */
  const kept = new Map<string, Hash>();
  const fromTile = (n: Node): Hash | undefined => {
    if (!isTiledLevel(n.level)) return undefined;
    const { level, index, offset } = tileOf(n);
    const key = `${level}:${index}`;
    let tile = tiles.get(key);
    if (!tile && (tile = cache.tile(level, index))) tiles.set(key, tile);
    return tile && tile.length >= 32 * offset + 32 ? tile.subarray(32 * offset, 32 * offset + 32) : undefined;
  };
  const known = (n: Node) => found.has(nodeKey(n)) || fromTile(n) !== undefined;
  let covered = 0;
  for (const n of nodes) {
    covered = Math.max(covered, (n.index + 1) * 2 ** n.level);
    const hash = cache.node(n);
    if (hash) kept.set(nodeKey(n), hash);
  }
  const expand = new Set<string>();
  const unfinished = (n: Node) =>
    n.level === LEVEL0_STORED && (Math.floor(n.index / LEVEL0_WIDTH) + 1) * TILE_WIDTH > covered;
  const parts = new Map<string, Node>();
  for (const n of nodes) {
    if (kept.has(nodeKey(n))) continue;
    for (const part of partsOf(n)) {
      if (!unfinished(part)) parts.set(nodeKey(part), part);
      else {
        expand.add(nodeKey(part));
        for (const leaf of childrenOf(part)) parts.set(nodeKey(leaf), leaf);
      }
    }
  }
  let wanted = [...parts.values()].filter((n) => !known(n));
  while (wanted.length) {
    await readStored(db, wanted, found, tiles, cache);
    const missing = wanted.filter((n) => !known(n));
    const leaf = missing.find((n) => n.level === 0);
    if (leaf) throw new Error(`the ledger tree has no node at level 0, index ${leaf.index}`);
    for (const n of missing) expand.add(nodeKey(n));
    wanted = missing.flatMap(childrenOf).filter((n) => !known(n));
  }
  /** A node's hash, and whether it comes from tiles alone (then the cache keeps it). */
  const hashOf = (node: Node): { hash: Hash; stored: boolean } => {
    const key = nodeKey(node);
    const read = found.get(key);
    if (read) return { hash: read, stored: false };
    const fromTiles = kept.get(key) ?? fromTile(node);
    if (fromTiles) return { hash: fromTiles, stored: true };
    const below = (expand.has(key) ? childrenOf(node) : partsOf(node)).map(hashOf);
    const hash = combine(below.map((p) => p.hash));
    const stored = below.every((p) => p.stored);
    if (stored) {
      kept.set(key, hash);
      cache.keepNode(node, hash);
    } else found.set(key, hash);
    return { hash, stored };
  };
  return new Map(nodes.map((n) => [nodeKey(n), hashOf(n).hash]));
}

/**
 * Reads the leaves and tiled nodes asked for (leaves by position, the widest row of each tile):
 * two reads at most. Leaves go to `found`, tile rows to `tiles` and the cache.
 */
async function readStored(
  db: Queryable,
  nodes: Node[],
  found: Map<string, Hash>,
  tiles: Map<string, Buffer>,
  cache: TreeCache,
): Promise<void> {
  const leaves = nodes.filter((n) => n.level === 0);
  const wantedTiles = [
    ...new Map(
      nodes
        .filter((n) => isTiledLevel(n.level))
        .map((n) => {
          const t = tileOf(n);
          return [`${t.level}:${t.index}`, t];
        }),
    ).values(),
  ];
  const reads: Array<Promise<void>> = [];
  if (leaves.length)
    reads.push(
      db
        .query<{ position: number; hash: string }>({
          name: 'ledger-tree-leaves',
          text: 'SELECT position, hash FROM ledger_events WHERE position = ANY($1::bigint[])',
          values: [leaves.map((n) => n.index + 1)],
        })
        .then(({ rows }) => {
          for (const r of rows) found.set(nodeKey({ level: 0, index: r.position - 1 }), leafHash(r.hash));
        }),
    );
  if (wantedTiles.length)
    reads.push(
      db
        .query<{ level: number; idx: number; width: number; hashes: Buffer }>({
          name: 'ledger-tree-tiles',
          // The widest row of each tile, found in the primary key: no other width's hashes are read.
          text: `SELECT t.level, t.idx, t.width, t.hashes
                   FROM unnest($1::smallint[], $2::bigint[]) AS n(level, idx)
                  CROSS JOIN LATERAL (SELECT level, idx, width, hashes FROM ledger_tiles
                                       WHERE level = n.level AND idx = n.idx ORDER BY width DESC LIMIT 1) t`,
          values: [wantedTiles.map((t) => t.level), wantedTiles.map((t) => t.index)],
        })
        .then(({ rows }) => {
          for (const r of rows) {
            const key = `${r.level}:${r.idx}`;
            if ((tiles.get(key)?.length ?? 0) < r.hashes.length) tiles.set(key, r.hashes);
            cache.keepTile(r.level, r.idx, r.hashes);
          }
        }),
    );
  await Promise.all(reads);
}

/** The root of the tree of the first `size` leaves, from the stored tiles and leaves. */
export async function treeRoot(db: Queryable, size: number): Promise<Hash> {
  const nodes = subtrees(0, size);
  const hashes = await readNodes(db, nodes);
  return foldSubtrees(nodes.map((n) => hashes.get(nodeKey(n))!));
}

/** The right edge of the tree of the first `size` leaves, from the stored tiles and leaves. */
export async function treeFrontier(db: Queryable, size: number): Promise<MerkleFrontier> {
  const nodes = subtrees(0, size);
  const hashes = await readNodes(db, nodes);
  return MerkleFrontier.of(
    size,
    nodes.map((n) => hashes.get(nodeKey(n))!),
  );
}

/** What the writer keeps of the tree of the first `size` leaves (its right edge and unfinished tiles), from the stored tiles and leaves. */
export async function treeTail(db: Queryable, size: number): Promise<TreeTail> {
  const nodes = subtrees(0, size);
  const edges = edgeNodes(size);
  const hashes = await readNodes(db, [...nodes, ...edges.flat()]);
  const hashOf = (n: Node) => hashes.get(nodeKey(n))!;
  return TreeTail.of(
    size,
    nodes.map(hashOf),
    edges.map((e) => e.map(hashOf)),
  );
}

/** An inclusion proof of leaf `index` in the tree of `size` leaves (RFC 9162), leaf side first. */
export async function inclusionProof(db: Queryable, index: number, size: number): Promise<Hash[]> {
  const ranges = inclusionRanges(index, size);
  const hashes = await readNodes(db, nodesOf(ranges));
  return resolveRanges(ranges, (n) => hashes.get(nodeKey(n))!);
}

/** Inclusion proofs of leaves `indexes` in the tree of `size` leaves, all from one read of the stored tiles and leaves. */
export async function inclusionProofs(db: Queryable, indexes: number[], size: number): Promise<Hash[][]> {
  const ranges = indexes.map((index) => inclusionRanges(index, size));
  const hashes = await readNodes(db, nodesOf(ranges.flat()));
  return ranges.map((r) => resolveRanges(r, (n) => hashes.get(nodeKey(n))!));
}

/** A consistency proof from the tree of `from` leaves to the tree of `to` (RFC 9162). */
export async function consistencyProof(db: Queryable, from: number, to: number): Promise<Hash[]> {
  const ranges = consistencyRanges(from, to);
  const hashes = await readNodes(db, nodesOf(ranges));
  return resolveRanges(ranges, (n) => hashes.get(nodeKey(n))!);
}

/** How many leaves the stored tiles of level 1 cover (each of their hashes is the root of 256 leaves). */
export async function storedTreeSize(db: Queryable): Promise<number> {
  const { rows } = await db.query<{ idx: number; width: number }>(
    'SELECT idx, width FROM ledger_tiles WHERE level = 1 ORDER BY idx DESC, width DESC LIMIT 1',
  );
  return rows.length ? leavesCovered(rows[0].idx, rows[0].width) : 0;
}

/** The `ledger_tiles` insert of these tiles: a CTE of a commit's statement, or alone; parameters from `$first`. */
export function tilesInsert(first: number): string {
  return `INSERT INTO ledger_tiles (level, idx, width, hashes)
     SELECT l, i, w, decode(h, 'hex') FROM ROWS FROM (unnest($${first}::smallint[]), unnest($${first + 1}::bigint[]), unnest($${first + 2}::smallint[]), unnest($${first + 3}::text[])) AS t(l, i, w, h)
     ON CONFLICT (level, idx, width) DO NOTHING`;
}

/** The parameters of `tilesInsert`. */
export const tilesValues = (tiles: TileRow[]) => [
  tiles.map((t) => t.level),
  tiles.map((t) => t.index),
  tiles.map((t) => t.width),
  tiles.map((t) => t.hashes.toString('hex')),
];

/** Inserts tiles; one already there is left as it is (a tree filled again after a restart). */
export async function insertTiles(db: Queryable, tiles: TileRow[]): Promise<void> {
  if (!tiles.length) return;
  await db.query(tilesInsert(1), tilesValues(tiles));
}
