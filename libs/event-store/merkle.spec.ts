import { createHash } from 'node:crypto';
import {
  consistencyRanges,
  EMPTY_ROOT,
  foldSubtrees,
  Hash,
  inclusionRanges,
  leafHash,
  MerkleFrontier,
  Node,
  nodeHash,
  packedLeafHash,
  packedNodeHash,
  resolveRanges,
  subtrees,
  verifyConsistency,
  verifyInclusion,
} from './merkle';

/** RFC 9162's MTH, straight from its definition. */
function mth(leaves: Hash[]): Hash {
  if (leaves.length === 0) return createHash('sha256').digest();
  if (leaves.length === 1) return leaves[0];
  let k = 1;
  while (k * 2 < leaves.length) k *= 2;
  return nodeHash(mth(leaves.slice(0, k)), mth(leaves.slice(k)));
}

const chain = (i: number) => createHash('sha256').update(`event ${i}`).digest('hex');
const LEAVES = Array.from({ length: 70 }, (_, i) => leafHash(chain(i)));
/** A node's hash from the leaves, as the tree table would answer it. */
const hashOf = (leaves: Hash[]) => (node: Node) =>
  mth(leaves.slice(node.index * 2 ** node.level, (node.index + 1) * 2 ** node.level));

describe('the ledger as an RFC 9162 Merkle tree', () => {
  it('hashes a leaf as SHA-256(0x00 ‖ chain hash) and an empty tree as SHA-256 of nothing', () => {
    expect(leafHash('ab'.repeat(32)).toString('hex')).toBe(
      createHash('sha256')
        .update(Buffer.concat([Buffer.from([0]), Buffer.from('ab'.repeat(32), 'hex')]))
        .digest('hex'),
    );
    expect(EMPTY_ROOT.toString('hex')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });

  it('hashes the same packed (the writer’s form: 32 latin1 characters), and refuses what is not a chain hash', () => {
    const sha = (...parts: Buffer[]) => createHash('sha256').update(Buffer.concat(parts)).digest();
    for (let i = 0; i < 20; i++) {
      const leaf = packedLeafHash(chain(i));
      expect(Buffer.from(leaf, 'latin1')).toEqual(sha(Buffer.from([0]), Buffer.from(chain(i), 'hex')));
      const right = packedLeafHash(chain(i + 1));
      expect(Buffer.from(packedNodeHash(leaf, right), 'latin1')).toEqual(
        sha(Buffer.from([1]), Buffer.from(leaf, 'latin1'), Buffer.from(right, 'latin1')),
      );
    }
    for (const bad of [chain(1).slice(1), `${chain(1)}00`, `${chain(1).slice(0, 62)}zz`])
      expect(() => packedLeafHash(bad)).toThrow(/not a chain hash/);
  });

  it('keeps the root of every size as leaves are appended, and names each interior node it completes', () => {
    const frontier = new MerkleFrontier();
    const stored = new Map<string, Hash>();
    for (let n = 0; n < LEAVES.length; n++) {
      for (const node of frontier.append(LEAVES[n])) stored.set(`${node.level}:${node.index}`, node.hash);
      expect(frontier.root().equals(mth(LEAVES.slice(0, n + 1)))).toBe(true);
    }
    // Every stored node is the complete subtree it names.
    for (const [key, hash] of stored) {
      const [level, index] = key.split(':').map(Number);
      expect([key, hash.equals(hashOf(LEAVES)({ level, index }))]).toEqual([key, true]);
    }
    // 70 leaves: 35 + 17 + 8 + 4 + 2 + 1 interior nodes.
    expect(stored.size).toBe(67);
  });

  it('rebuilds the frontier of any size from its complete subtrees', () => {
    for (const size of [1, 2, 3, 7, 8, 63, 64, 70]) {
      const frontier = MerkleFrontier.of(size, subtrees(0, size).map(hashOf(LEAVES)));
      expect(frontier.root().equals(mth(LEAVES.slice(0, size)))).toBe(true);
      expect(foldSubtrees(subtrees(0, size).map(hashOf(LEAVES))).equals(mth(LEAVES.slice(0, size)))).toBe(true);
    }
  });

  it('proves and verifies the inclusion of every leaf in every tree size, and refuses a wrong leaf, index or root', () => {
    for (let size = 1; size <= 40; size++) {
      const root = mth(LEAVES.slice(0, size));
      for (let m = 0; m < size; m++) {
        const proof = resolveRanges(inclusionRanges(m, size), hashOf(LEAVES));
        expect([size, m, verifyInclusion(m, size, LEAVES[m], proof, root)]).toEqual([size, m, true]);
        if (size > 1) expect(verifyInclusion((m + 1) % size, size, LEAVES[m], proof, root)).toBe(false);
        expect(verifyInclusion(m, size, LEAVES[size], proof, root)).toBe(false);
      }
    }
  });

  it('proves and verifies consistency between every pair of sizes, and refuses a rewritten history', () => {
    const rewritten = [...LEAVES];
    rewritten[5] = leafHash(chain(999));
    for (let n = 1; n <= 40; n++) {
      for (let m = 1; m <= n; m++) {
        const proof = resolveRanges(consistencyRanges(m, n), hashOf(LEAVES));
        expect([m, n, verifyConsistency(m, n, mth(LEAVES.slice(0, m)), mth(LEAVES.slice(0, n)), proof)]).toEqual([
          m,
          n,
          true,
        ]);
        if (m > 5) {
          const forged = resolveRanges(consistencyRanges(m, n), hashOf(rewritten));
          expect(verifyConsistency(m, n, mth(LEAVES.slice(0, m)), mth(rewritten.slice(0, n)), forged)).toBe(false);
        }
      }
    }
  });
});
