import { createHash, hash } from 'node:crypto';

/**
 * The ledger as an RFC 9162 Merkle tree: leaf `i` is the 32-byte chain hash of the event at
 * position `i + 1`; a leaf's hash is SHA-256(0x00 ‖ leaf), an interior node's SHA-256(0x01 ‖
 * left ‖ right). Pure functions: what to read for a proof is named as nodes, and the caller reads
 * them (from the tree table, or from the leaves themselves).
 */

export type Hash = Buffer;

const LEAF_PREFIX = Buffer.from([0]);
const NODE_PREFIX = Buffer.from([1]);

/** The hash of the empty tree. */
export const EMPTY_ROOT: Hash = createHash('sha256').digest();

/** A leaf's hash, from the event's chain hash (hex). One-shot hashing: the writer hashes every event's leaf. */
export function leafHash(chainHashHex: string): Hash {
  return hash('sha256', Buffer.concat([LEAF_PREFIX, Buffer.from(chainHashHex, 'hex')]), 'buffer');
}

export function nodeHash(left: Hash, right: Hash): Hash {
  return hash('sha256', Buffer.concat([NODE_PREFIX, left, right]), 'buffer');
}

/**
 * A hash as the writer keeps it while appending: its 32 bytes as a 32-character latin1 string
 * (Node's 'binary').
 * The writer hashes two to three times per event, and a one-shot digest answered as a string costs
 * about half of one answered as a Buffer; the hashes are the same as `leafHash` and `nodeHash`.
 */
export type PackedHash = string;

export const packHash = (h: Hash): PackedHash => h.toString('latin1');
export const unpackHash = (h: PackedHash): Hash => Buffer.from(h, 'latin1');

/** The input of the packed hashes, reused: prefix byte, then one or two hashes. */
const packedInput = Buffer.alloc(65);
const packedLeafInput = packedInput.subarray(0, 33);

/** `leafHash`, packed. */
export function packedLeafHash(chainHashHex: string): PackedHash {
  packedInput[0] = 0;
  if (chainHashHex.length !== 64 || packedInput.write(chainHashHex, 1, 'hex') !== 32)
    throw new Error(`not a chain hash: ${chainHashHex}`);
  return hash('sha256', packedLeafInput, 'binary');
}

/** `nodeHash`, packed. */
export function packedNodeHash(left: PackedHash, right: PackedHash): PackedHash {
  packedInput[0] = 1;
  packedInput.write(left, 1, 'latin1');
  packedInput.write(right, 33, 'latin1');
  return hash('sha256', packedInput, 'binary');
}

/** The root of a complete subtree: `2^level` leaves starting at leaf `index · 2^level`. Level 0 is a leaf. */
export interface Node {
  level: number;
  index: number;
}

/** The largest power of two smaller than n (n > 1). */
function split(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** The complete subtrees that make up leaves [lo, hi), left to right, as RFC 9162's recursion splits them. */
export function subtrees(lo: number, hi: number): Node[] {
  const n = hi - lo;
  if (n <= 0) return [];
  if ((n & (n - 1)) === 0 && lo % n === 0) return [{ level: Math.log2(n), index: lo / n }];
  const k = split(n);
  return [...subtrees(lo, lo + k), ...subtrees(lo + k, hi)];
}

/** MTH(D[lo:hi]) from the hashes of `subtrees(lo, hi)`, in that order. */
export function foldSubtrees(hashes: Hash[]): Hash {
  if (hashes.length === 0) return EMPTY_ROOT;
  let acc = hashes[hashes.length - 1];
  for (let i = hashes.length - 2; i >= 0; i--) acc = nodeHash(hashes[i], acc);
  return acc;
}

/** A hash the proof needs: MTH(D[lo:hi]), made of these complete subtrees. */
export interface RangeNeeded {
  lo: number;
  hi: number;
  nodes: Node[];
}

const range = (lo: number, hi: number): RangeNeeded => ({ lo, hi, nodes: subtrees(lo, hi) });

/** The hashes of an inclusion proof of leaf `m` in the tree of `size` leaves (RFC 9162 2.1.3.1), leaf side first. */
export function inclusionRanges(m: number, size: number): RangeNeeded[] {
  if (m < 0 || m >= size) throw new RangeError(`leaf ${m} is not in a tree of ${size}`);
  const path = (lo: number, hi: number): RangeNeeded[] => {
    const n = hi - lo;
    if (n === 1) return [];
    const k = split(n);
    return m - lo < k ? [...path(lo, lo + k), range(lo + k, hi)] : [...path(lo + k, hi), range(lo, lo + k)];
  };
  return path(0, size);
}

/** The hashes of a consistency proof from the tree of `m` leaves to the tree of `n` (RFC 9162 2.1.4.1). */
export function consistencyRanges(m: number, n: number): RangeNeeded[] {
  if (m < 0 || m > n) throw new RangeError(`a tree of ${m} is not a prefix of a tree of ${n}`);
  if (m === 0 || m === n) return [];
  const sub = (mm: number, lo: number, hi: number, whole: boolean): RangeNeeded[] => {
    const size = hi - lo;
    if (mm === size) return whole ? [] : [range(lo, hi)];
    const k = split(size);
    return mm <= k
      ? [...sub(mm, lo, lo + k, whole), range(lo + k, hi)]
      : [...sub(mm - k, lo + k, hi, false), range(lo, lo + k)];
  };
  return sub(m, 0, n, true);
}

/** Every node the ranges need, once each. */
export function nodesOf(ranges: RangeNeeded[]): Node[] {
  const seen = new Map<string, Node>();
  for (const r of ranges) for (const node of r.nodes) seen.set(`${node.level}:${node.index}`, node);
  return [...seen.values()];
}

export const nodeKey = (node: Node) => `${node.level}:${node.index}`;

/** The proof's hashes, from the hashes of the nodes it needs. */
export function resolveRanges(ranges: RangeNeeded[], hashOf: (node: Node) => Hash): Hash[] {
  return ranges.map((r) => foldSubtrees(r.nodes.map(hashOf)));
}

/** Checks an inclusion proof (RFC 9162 2.1.3.2): does `leaf` at `index` lead to `root` in a tree of `size`? */
export function verifyInclusion(index: number, size: number, leaf: Hash, proof: Hash[], root: Hash): boolean {
  if (index < 0 || index >= size) return false;
  let fn = index;
  let sn = size - 1;
  let r = leaf;
  for (const p of proof) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && r.equals(root);
}

/** Checks a consistency proof (RFC 9162 2.1.4.2): is the tree of `m` with `oldRoot` a prefix of the tree of `n` with `newRoot`? */
export function verifyConsistency(m: number, n: number, oldRoot: Hash, newRoot: Hash, proof: Hash[]): boolean {
  if (m > n) return false;
  if (m === n) return proof.length === 0 && oldRoot.equals(newRoot);
  if (m === 0) return proof.length === 0;
  let path = proof;
  if ((m & (m - 1)) === 0) path = [oldRoot, ...proof];
  if (path.length === 0) return false;
  let fn = m - 1;
  let sn = n - 1;
  while (fn % 2 === 1) {
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  let fr = path[0];
  let sr = path[0];
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return fr.equals(oldRoot) && sr.equals(newRoot) && sn === 0;
}

/**
 * The right edge of a tree: the hashes of the complete subtrees that make up its leaves (one per
 * set bit of its size, largest first). Appending a leaf merges equal-sized subtrees; each merge is
 * a new stored node. The root is the subtrees folded from the right.
 */
export class MerkleFrontier {
  constructor(
    private size = 0,
    private readonly hashes: Hash[] = [],
  ) {}

  get leaves(): number {
    return this.size;
  }

  /** The frontier of a tree of `size` leaves, from the hashes of `subtrees(0, size)`. */
  static of(size: number, hashes: Hash[]): MerkleFrontier {
    if (hashes.length !== subtrees(0, size).length)
      throw new Error(`a tree of ${size} has ${subtrees(0, size).length} subtrees, not ${hashes.length}`);
    return new MerkleFrontier(size, [...hashes]);
  }

  clone(): MerkleFrontier {
    return new MerkleFrontier(this.size, [...this.hashes]);
  }

  /** Appends a leaf (its hash); answers the interior nodes this completes (level ≥ 1), lowest first. */
  append(leaf: Hash): Array<Node & { hash: Hash }> {
    const made: Array<Node & { hash: Hash }> = [];
    let hash = leaf;
    let level = 0;
    let index = this.size;
    // Each trailing 1 bit of the old size is a subtree of the same size to merge with.
    while ((index & 1) === 1) {
      const left = this.hashes.pop()!;
      hash = nodeHash(left, hash);
      level++;
      index = (index - 1) / 2;
      made.push({ level, index, hash });
    }
    this.hashes.push(hash);
    this.size++;
    return made;
  }

  root(): Hash {
    return foldSubtrees(this.hashes);
  }
}
