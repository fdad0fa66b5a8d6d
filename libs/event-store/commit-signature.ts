import { createPublicKey, KeyObject, sign, verify } from 'node:crypto';
import { Pool } from 'pg';
import { openNote, parseCheckpoint, parseVerifierKey } from './signed-note';

/** Checks one commit signature: the writer's, over the commit's last position and its chain hash. */
export type CommitVerifier = (position: number, hash: string, signature: Buffer) => boolean;

/**
 * What the writer signs for a commit: its last position and that event's chain hash, which
 * covers every earlier event. It holds no newline, so it is never the text of a signed note (which
 * ends with one), and does not start with `{` like a JSON checkpoint: one key signs all three.
 */
export function commitPayload(position: number, hash: string): Buffer {
  return Buffer.from(`workgate ledger commit ${position} ${hash}`, 'utf8');
}

export function signCommit(privateKey: KeyObject, position: number, hash: string): Buffer {
  return sign(null, commitPayload(position, hash), privateKey);
}

export function commitVerifier(publicKey: KeyObject): CommitVerifier {
  return (position, hash, signature) => {
    try {
      return verify(null, commitPayload(position, hash), publicKey, signature);
    } catch {
      return false;
    }
  };
}

/** The commit verifier of a signed-note verifier key (`<name>+<key hash>+<base64 key>`), or undefined when it is not one. */
export function commitVerifierOfNoteKey(vkey: string): CommitVerifier | undefined {
  const key = parseVerifierKey(vkey);
  return (
    key &&
    commitVerifier(
      createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: key.publicKey.toString('base64url') }, format: 'jwk' }),
    )
  );
}

/** A row of `ledger_checkpoints`, as far as deciding whether it is signed. */
export interface CheckpointRow {
  tree_size: number;
  root_hash: Buffer;
  note: string;
}

/**
 * Whether this key signed the row's note for the row's own size and root: only such a row vouches
 * for the events up to it (the writer's admission and every verify path use this one rule).
 */
export function isSignedCheckpointRow(row: CheckpointRow, vkey: string): boolean {
  const opened = openNote(row.note, vkey);
  const tree = opened.ok ? parseCheckpoint(opened.text) : undefined;
  return !!tree && tree.size === row.tree_size && tree.root.equals(row.root_hash);
}

/** The size of the largest checkpoint in `ledger_checkpoints` whose note this key signed, for its size and root (0: none); an unsigned row vouches for nothing. */
export async function lastSignedCheckpointSize(pool: Pool, vkey: string): Promise<number> {
  const { rows } = await pool.query<CheckpointRow>(
    'SELECT tree_size, root_hash, note FROM ledger_checkpoints ORDER BY tree_size DESC LIMIT 1000',
  );
  return rows.find((r) => isSignedCheckpointRow(r, vkey))?.tree_size ?? 0;
}
