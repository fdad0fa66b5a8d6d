import { generateKeyPairSync, sign } from 'node:crypto';
import { signerFromKey } from './checkpoint';
import { commitPayload, commitVerifierOfNoteKey, isSignedCheckpointRow } from './commit-signature';
import { noteKeyHash, openNote, rawPublicKey } from './signed-note';

const hash = 'ab'.repeat(32);
const other = 'cd'.repeat(32);

describe('commit signatures', () => {
  const key = generateKeyPairSync('ed25519').privateKey;
  const signer = signerFromKey(key);

  it('verify for the position and chain hash signed only, with the ledger key or its public verifier key', () => {
    const signature = signer.signCommit(7, hash);
    expect(signature).toHaveLength(64);
    const fromNoteKey = commitVerifierOfNoteKey(signer.verifierKey)!;
    for (const verify of [signer.verifyCommit, fromNoteKey]) {
      expect(verify(7, hash, signature)).toBe(true);
      expect(verify(8, hash, signature)).toBe(false);
      expect(verify(7, other, signature)).toBe(false);
      expect(verify(7, hash, Buffer.alloc(64))).toBe(false);
      expect(verify(7, hash, Buffer.alloc(3))).toBe(false);
    }
    expect(signerFromKey(generateKeyPairSync('ed25519').privateKey).verifyCommit(7, hash, signature)).toBe(false);
    expect(commitVerifierOfNoteKey('not a key')).toBeUndefined();
  });

  it("sign a text that is never a signed note's text nor a JSON checkpoint", () => {
    const payload = commitPayload(7, hash).toString('utf8');
    expect(payload).toBe(`workgate ledger commit 7 ${hash}`);
    expect(payload).not.toContain('\n');
    // A note made of the commit's signature does not open: a note's text ends with a newline.
    const line = (signature: Buffer) =>
      `\u2014 ${signer.origin} ${Buffer.concat([noteKeyHash(signer.origin, rawPublicKey(key)), signature]).toString('base64')}\n`;
    expect(openNote(`${payload}\n\n${line(signer.signCommit(7, hash))}`, signer.verifierKey)).toEqual({
      ok: false,
      reason: expect.stringContaining('does not verify'),
    });
    // (the same line with a signature of the note's text does open)
    expect(openNote(`${payload}\n\n${line(sign(null, Buffer.from(`${payload}\n`), key))}`, signer.verifierKey).ok).toBe(
      true,
    );
  });
});

describe('a signed checkpoint row', () => {
  const signer = signerFromKey(generateKeyPairSync('ed25519').privateKey);
  const root = Buffer.alloc(32, 7);
  const note = signer.signTree(5, root);

  it("is one whose note this key signed for the row's size and root", () => {
    expect(isSignedCheckpointRow({ tree_size: 5, root_hash: root, note }, signer.verifierKey)).toBe(true);
  });

  it("is not one whose root, size or key differs from the note's", () => {
    expect(isSignedCheckpointRow({ tree_size: 5, root_hash: Buffer.alloc(32, 8), note }, signer.verifierKey)).toBe(
      false,
    );
    expect(isSignedCheckpointRow({ tree_size: 6, root_hash: root, note }, signer.verifierKey)).toBe(false);
    const other = signerFromKey(generateKeyPairSync('ed25519').privateKey);
    expect(isSignedCheckpointRow({ tree_size: 5, root_hash: root, note }, other.verifierKey)).toBe(false);
  });
});
