import { createHash, generateKeyPairSync } from 'node:crypto';
import {
  checkpointText,
  consistencyRanges,
  inclusionRanges,
  leafHash,
  MerkleFrontier,
  Node,
  nodeHash,
  openNote,
  parseCheckpoint,
  rawPublicKey,
  resolveRanges,
  signNote,
  verifierKey,
} from '@workgate/event-store';
import { goVerify } from './support/go-verifier';

/**
 * Workgate's signed notes, checkpoints and proofs checked by a verifier nobody here wrote: Go's
 * golang.org/x/mod/sumdb/note and tlog. And the same refusals from both.
 */
describe('signed checkpoints and proofs, as Go verifies them', () => {
  const { privateKey } = generateKeyPairSync('ed25519');
  const name = 'workgate.example/ledger';
  const vkey = verifierKey(name, rawPublicKey(privateKey));
  const chain = Array.from({ length: 37 }, (_, i) => createHash('sha256').update(`event ${i}`).digest('hex'));
  const leaves = chain.map(leafHash);
  const mth = (l: Buffer[]): Buffer => {
    if (l.length === 1) return l[0];
    let k = 1;
    while (k * 2 < l.length) k *= 2;
    return nodeHash(mth(l.slice(0, k)), mth(l.slice(k)));
  };
  const nodeOf = (n: Node) => mth(leaves.slice(n.index * 2 ** n.level, (n.index + 1) * 2 ** n.level));
  const noteOf = (size: number) => {
    const frontier = new MerkleFrontier();
    for (const leaf of leaves.slice(0, size)) frontier.append(leaf);
    return signNote(checkpointText({ origin: name, size, root: frontier.root() }), name, privateKey);
  };

  it('signs a C2SP checkpoint Go opens with the verifier key, and opens it itself', () => {
    const note = noteOf(37);
    expect(note.split('\n').slice(0, 3)).toEqual([name, '37', expect.stringMatching(/^[A-Za-z0-9+/]{43}=$/)]);
    expect(goVerify({ verifierKey: vkey, note })).toEqual({ ok: true, origin: name, size: 37 });
    const opened = openNote(note, vkey);
    expect(opened.ok && parseCheckpoint(opened.text)).toMatchObject({ origin: name, size: 37 });
    // Another key, or a changed text: refused by both.
    const other = verifierKey(name, rawPublicKey(generateKeyPairSync('ed25519').privateKey));
    expect(goVerify({ verifierKey: other, note }).ok).toBe(false);
    expect(openNote(note, other).ok).toBe(false);
    const altered = note.replace('\n37\n', '\n36\n');
    expect(goVerify({ verifierKey: vkey, note: altered }).ok).toBe(false);
    expect(openNote(altered, vkey).ok).toBe(false);
  });

  it('has every inclusion proof and consistency proof accepted by tlog, and a wrong one refused', () => {
    const note = noteOf(37);
    for (const index of [0, 1, 15, 16, 31, 36]) {
      const inclusion = resolveRanges(inclusionRanges(index, 37), nodeOf).map((h) => h.toString('base64'));
      expect([
        index,
        goVerify({ verifierKey: vkey, note, leafIndex: index, leaf: chain[index], inclusion }).ok,
      ]).toEqual([index, true]);
      expect(goVerify({ verifierKey: vkey, note, leafIndex: index, leaf: chain[(index + 1) % 37], inclusion }).ok).toBe(
        false,
      );
    }
    for (const from of [1, 2, 16, 20, 36]) {
      const consistency = resolveRanges(consistencyRanges(from, 37), nodeOf).map((h) => h.toString('base64'));
      expect([from, goVerify({ verifierKey: vkey, note, oldNote: noteOf(from), consistency }).ok]).toEqual([
        from,
        true,
      ]);
    }
    const swapped = resolveRanges(consistencyRanges(20, 37), nodeOf)
      .reverse()
      .map((h) => h.toString('base64'));
    expect(goVerify({ verifierKey: vkey, note, oldNote: noteOf(20), consistency: swapped }).ok).toBe(false);
  });

  it("checks many records against one checkpoint (a proof package's receipts), and names the one that is not in it", () => {
    const note = noteOf(37);
    const leaves = [0, 5, 16, 36].map((index) => ({
      leafIndex: index,
      leaf: chain[index],
      inclusion: resolveRanges(inclusionRanges(index, 37), nodeOf).map((h) => h.toString('base64')),
    }));
    expect(goVerify({ verifierKey: vkey, note, leaves })).toEqual({ ok: true, origin: name, size: 37, checked: 4 });
    const moved = leaves.map((l, i) => (i === 2 ? { ...l, leafIndex: 17 } : l));
    expect(goVerify({ verifierKey: vkey, note, leaves: moved })).toMatchObject({
      ok: false,
      error: expect.stringContaining('leaf 2 (index 17)'),
    });
    const definition = '{"jobType":"x","version":1}';
    const policy = createHash('sha256').update(definition).digest('hex');
    expect(goVerify({ verifierKey: vkey, note, definition, policies: [policy, policy] }).ok).toBe(true);
    expect(goVerify({ verifierKey: vkey, note, definition: `${definition} `, policies: [policy] })).toMatchObject({
      ok: false,
      error: expect.stringContaining(`is not the policy ${policy}`),
    });
  });
});
