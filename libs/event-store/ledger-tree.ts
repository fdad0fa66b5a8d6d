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

type Queryable = Pick<Pool, 'query'> | Pick<Client, 'query'>;

/** The columns of interior nodes to insert with a commit. */
export interface TreeRows {
  levels: number[];
  indexes: number[];
  /** Hex. */
  hashes: string[];
}

export const emptyTreeRows = (): TreeRows => ({ levels: [], indexes: [], hashes: [] });

/**
 * Interior nodes are stored only at levels that are multiples of this (16 leaves under each
 * stored node of level 4): one stored row per 15 events instead of one per event, and any other
 * node is at most 8 stored nodes or leaves away.
 */
export const STORED_LEVELS_EVERY = 4;

export const isStoredLevel = (level: number) => level > 0 && level % STORED_LEVELS_EVERY === 0;

/** The stored nodes (or leaves) a node is made of: itself when stored, else its descendants at the stored level below it. */
function partsOf(node: Node): Node[] {
  if (node.level === 0 || isStoredLevel(node.level)) return [node];
  const base = node.level - (node.level % STORED_LEVELS_EVERY);
  const width = 2 ** (node.level - base);
  return Array.from({ length: width }, (_, i) => ({ level: base, index: node.index * width + i }));
}

/** The root of a complete subtree from its parts, left to right (a power of two of them). */
function combine(parts: Hash[]): Hash {
  let level = parts;
  while (level.length > 1)
    level = Array.from({ length: level.length / 2 }, (_, i) => nodeHash(level[2 * i], level[2 * i + 1]));
  return level[0];
}

/**
 * The hashes of these nodes: leaves from the ledger's chain hashes (leaf i is position i + 1),
 * stored interior nodes from `ledger_tree`, the others combined from those. Two reads whatever
 * their number. Throws naming a node that is not there (a size beyond what is recorded).
 */
export async function readNodes(db: Queryable, nodes: Node[]): Promise<Map<string, Hash>> {
  const stored = await readStored(db, [...new Map(nodes.flatMap(partsOf).map((n) => [nodeKey(n), n])).values()]);
  const found = new Map<string, Hash>();
  for (const node of nodes) found.set(nodeKey(node), combine(partsOf(node).map((p) => stored.get(nodeKey(p))!)));
  return found;
}

async function readStored(db: Queryable, nodes: Node[]): Promise<Map<string, Hash>> {
  const found = new Map<string, Hash>();
  const leaves = nodes.filter((n) => n.level === 0);
  const interior = nodes.filter((n) => n.level > 0);
  if (leaves.length) {
    const { rows } = await db.query<{ position: number; hash: string }>(
      'SELECT position, hash FROM ledger_events WHERE position = ANY($1::bigint[])',
      [leaves.map((n) => n.index + 1)],
    );
    for (const r of rows) found.set(nodeKey({ level: 0, index: r.position - 1 }), leafHash(r.hash));
  }
  if (interior.length) {
    const { rows } = await db.query<{ level: number; idx: number; hash: Buffer }>(
      'SELECT t.level, t.idx, t.hash FROM ledger_tree t JOIN unnest($1::smallint[], $2::bigint[]) AS n(level, idx) ON t.level = n.level AND t.idx = n.idx',
      [interior.map((n) => n.level), interior.map((n) => n.index)],
    );
    for (const r of rows) found.set(nodeKey({ level: r.level, index: r.idx }), r.hash);
  }
  const missing = nodes.find((n) => !found.has(nodeKey(n)));
  if (missing) throw new Error(`the ledger tree has no node at level ${missing.level}, index ${missing.index}`);
  return found;
}

/** The root of the tree of the first `size` leaves, from the stored nodes. */
export async function treeRoot(db: Queryable, size: number): Promise<Hash> {
  const nodes = subtrees(0, size);
  const hashes = await readNodes(db, nodes);
  return foldSubtrees(nodes.map((n) => hashes.get(nodeKey(n))!));
}

/** The frontier of the tree of the first `size` leaves, from the stored nodes. */
export async function treeFrontier(db: Queryable, size: number): Promise<MerkleFrontier> {
  const nodes = subtrees(0, size);
  const hashes = await readNodes(db, nodes);
  return MerkleFrontier.of(
    size,
    nodes.map((n) => hashes.get(nodeKey(n))!),
  );
}

/** An inclusion proof of leaf `index` in the tree of `size` leaves (RFC 9162), leaf side first. */
export async function inclusionProof(db: Queryable, index: number, size: number): Promise<Hash[]> {
  const ranges = inclusionRanges(index, size);
  const hashes = await readNodes(db, nodesOf(ranges));
  return resolveRanges(ranges, (n) => hashes.get(nodeKey(n))!);
}

/** Inclusion proofs of leaves `indexes` in the tree of `size` leaves, all from one read of the stored nodes. */
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

/** How many leaves the stored interior nodes cover at least (every complete run of 16 leaves has its level-4 node). */
export async function storedTreeSize(db: Queryable): Promise<number> {
  const { rows } = await db.query<{ top: number | null }>('SELECT max(idx) AS top FROM ledger_tree WHERE level = $1', [
    STORED_LEVELS_EVERY,
  ]);
  return rows[0].top === null ? 0 : (rows[0].top + 1) * 2 ** STORED_LEVELS_EVERY;
}

/** Inserts interior nodes; one already there is left as it is (a tree filled again after a restart). */
export async function insertTreeRows(db: Queryable, tree: TreeRows): Promise<void> {
  if (!tree.levels.length) return;
  await db.query(
    `INSERT INTO ledger_tree (level, idx, hash)
     SELECT l, i, decode(h, 'hex') FROM ROWS FROM (unnest($1::smallint[]), unnest($2::bigint[]), unnest($3::text[])) AS t(l, i, h)
     ON CONFLICT (level, idx) DO NOTHING`,
    [tree.levels, tree.indexes, tree.hashes],
  );
}

/** Appends a leaf to `frontier`, adding the stored nodes it completes to `tree`. */
export function appendLeaf(frontier: MerkleFrontier, chainHashHex: string, tree: TreeRows): void {
  for (const node of frontier.append(leafHash(chainHashHex))) {
    if (!isStoredLevel(node.level)) continue;
    tree.levels.push(node.level);
    tree.indexes.push(node.index);
    tree.hashes.push(node.hash.toString('hex'));
  }
}
