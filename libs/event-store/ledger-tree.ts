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
  partsOf,
  fullWidth,
  storedLevel,
  TileRow,
  tileOf,
  TreeTail,
} from './tiles';

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
 * from those. A tiled node whose tile is not written yet (the writer writes a commit's tiles with
 * the next one; the unfinished level-0 tile is never written) is combined from the nodes one
 * stored level down (16 or 256 of them). Throws naming a node that is not
 * there (a size beyond what is recorded).
 */
export async function readNodes(db: Queryable, nodes: Node[]): Promise<Map<string, Hash>> {
  const stored = new Map<string, Hash>();
  const expand = new Set<string>();
  let wanted = [...new Map(nodes.flatMap(partsOf).map((n) => [nodeKey(n), n])).values()];
  while (wanted.length) {
    await readStored(db, wanted, stored);
    const missing = wanted.filter((n) => !stored.has(nodeKey(n)));
    const leaf = missing.find((n) => n.level === 0);
    if (leaf) throw new Error(`the ledger tree has no node at level 0, index ${leaf.index}`);
    for (const n of missing) expand.add(nodeKey(n));
    wanted = missing.flatMap(childrenOf).filter((n) => !stored.has(nodeKey(n)));
  }
  const hashOf = (node: Node): Hash => {
    const key = nodeKey(node);
    const known = stored.get(key);
    if (known) return known;
    const hash = combine((expand.has(key) ? childrenOf(node) : partsOf(node)).map(hashOf));
    stored.set(key, hash);
    return hash;
  };
  return new Map(nodes.map((n) => [nodeKey(n), hashOf(n)]));
}

/** Reads the leaves and tiled nodes asked for into `found` (leaves by position, tiles whole): two reads at most. */
async function readStored(db: Queryable, nodes: Node[], found: Map<string, Hash>): Promise<void> {
  const leaves = nodes.filter((n) => n.level === 0);
  const tiles = [
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
        .query<{ position: number; hash: string }>(
          'SELECT position, hash FROM ledger_events WHERE position = ANY($1::bigint[])',
          [leaves.map((n) => n.index + 1)],
        )
        .then(({ rows }) => {
          for (const r of rows) found.set(nodeKey({ level: 0, index: r.position - 1 }), leafHash(r.hash));
        }),
    );
  if (tiles.length)
    reads.push(
      db
        .query<{ level: number; idx: number; width: number; hashes: Buffer }>(
          // The widest row of each tile, found in the primary key: no other width's hashes are read.
          `SELECT t.level, t.idx, t.width, t.hashes
             FROM unnest($1::smallint[], $2::bigint[]) AS n(level, idx)
            CROSS JOIN LATERAL (SELECT level, idx, width, hashes FROM ledger_tiles
                                 WHERE level = n.level AND idx = n.idx ORDER BY width DESC LIMIT 1) t`,
          [tiles.map((t) => t.level), tiles.map((t) => t.index)],
        )
        .then(({ rows }) => {
          for (const r of rows)
            for (let i = 0; i < r.width; i++)
              found.set(
                nodeKey({ level: storedLevel(r.level), index: r.idx * fullWidth(r.level) + i }),
                r.hashes.subarray(32 * i, 32 * i + 32),
              );
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
