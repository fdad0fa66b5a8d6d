import { Hash, Node, nodeKey } from './merkle';

/**
 * What the readers of one database keep of its stored tree: the widest row read of each tile, and
 * the nodes combined from tiles alone. A tile row is written once and never changes
 * (`ledger_tiles` is append-only), and a wider row of a tile holds the same hashes first, so
 * neither can go stale; leaves are never kept (read every time). Bounded: past `maxTiles` tiles or
 * `maxNodes` nodes the least recently used go first (by default 16,384 tiles: 8 MiB of level-0
 * tiles, or more of the rare higher ones; and 65,536 nodes).
 */
export class TreeCache {
  private readonly tiles = new Map<string, Buffer>();
  private readonly nodes = new Map<string, Hash>();

  constructor(
    private readonly maxTiles = 16_384,
    private readonly maxNodes = 65_536,
  ) {}

  /** The hashes of the widest row of a tile kept (32 bytes each). */
  tile(level: number, index: number): Buffer | undefined {
    return recent(this.tiles, `${level}:${index}`);
  }

  /**
   * Keeps a tile row, unless a wider one is kept: a copy of its own, since a row read from the
   * database may be a slice of a shared 8 KiB buffer that it would otherwise keep alive whole.
   */
  keepTile(level: number, index: number, hashes: Buffer): void {
    const kept = this.tiles.get(`${level}:${index}`);
    if (kept && kept.length >= hashes.length) return;
    const own = Buffer.allocUnsafeSlow(hashes.length);
    hashes.copy(own);
    keep(this.tiles, `${level}:${index}`, own, this.maxTiles);
  }

  /** The hash of a node combined from tiles, if kept. */
  node(node: Node): Hash | undefined {
    return recent(this.nodes, nodeKey(node));
  }

  /** Keeps the hash of a node combined from tiles alone. */
  keepNode(node: Node, hash: Hash): void {
    keep(this.nodes, nodeKey(node), hash, this.maxNodes);
  }

  /** How many tiles and nodes are kept. */
  get size(): { tiles: number; nodes: number } {
    return { tiles: this.tiles.size, nodes: this.nodes.size };
  }
}

/** A value of an insertion-ordered map, moved to its end (the most recently used). */
function recent<T>(map: Map<string, T>, key: string): T | undefined {
  const value = map.get(key);
  if (value !== undefined) {
    map.delete(key);
    map.set(key, value);
  }
  return value;
}

function keep<T>(map: Map<string, T>, key: string, value: T, max: number): void {
  map.delete(key);
  map.set(key, value);
  if (map.size > max) map.delete(map.keys().next().value!);
}

const caches = new WeakMap<object, TreeCache>();

/** The cache of the database a pool or client reads (one per pool or client: each reads one database). */
export function treeCacheOf(db: object): TreeCache {
  let cache = caches.get(db);
  if (!cache) caches.set(db, (cache = new TreeCache()));
  return cache;
}
