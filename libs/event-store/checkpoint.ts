import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  KeyObject,
  sign,
  verify,
} from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { canonicalize, SignedCheckpoint } from '@workgate/contracts';
import { CommitVerifier, commitVerifier, signCommit } from './commit-signature';
import { checkpointText, rawPublicKey, signNote, verifierKey } from './signed-note';

/** The JSON checkpoint's own fields (the signed note of the tree is added by the ledger). */
export type JsonCheckpoint = Pick<
  SignedCheckpoint,
  'position' | 'headHash' | 'at' | 'keyId' | 'signature' | 'publicKey'
>;

export interface CheckpointSigner {
  keyId: string;
  publicKeyPem: string;
  /** The log's origin and the signing key's name in signed notes. */
  origin: string;
  /** The signed-note verifier key. */
  verifierKey: string;
  sign(position: number, headHash: string, at: string): JsonCheckpoint;
  /** The C2SP signed note of the tree of `size` leaves with this root. */
  signTree(size: number, root: Buffer): string;
  verify(c: Pick<SignedCheckpoint, 'position' | 'headHash' | 'at' | 'keyId' | 'signature'>): boolean;
  /** The writer's signature of a commit ending at `position` with chain hash `hash`. */
  signCommit(position: number, hash: string): Buffer;
  verifyCommit: CommitVerifier;
}

function payload(c: Pick<SignedCheckpoint, 'position' | 'headHash' | 'at' | 'keyId'>): Buffer {
  return Buffer.from(canonicalize({ position: c.position, headHash: c.headHash, at: c.at, keyId: c.keyId }));
}

/** `origin`: the log's origin line and key name (default `workgate/ledger-<key id>`). */
export function signerFromKey(privateKey: KeyObject, origin?: string): CheckpointSigner {
  const publicKey = createPublicKey(privateKey);
  const publicKeyPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const keyId = createHash('sha256')
    .update(publicKey.export({ type: 'spki', format: 'der' }))
    .digest('hex')
    .slice(0, 16);
  const name = origin ?? `workgate/ledger-${keyId.slice(0, 8)}`;
  return {
    keyId,
    publicKeyPem,
    origin: name,
    verifierKey: verifierKey(name, rawPublicKey(privateKey)),
    sign: (position, headHash, at) => {
      const unsigned = { position, headHash, at, keyId };
      return {
        ...unsigned,
        signature: sign(null, payload(unsigned), privateKey).toString('base64'),
        publicKey: publicKeyPem,
      };
    },
    signTree: (size, root) => signNote(checkpointText({ origin: name, size, root }), name, privateKey),
    verify: (c) => c.keyId === keyId && verifyCheckpointSignature(c, publicKey),
    signCommit: (position, hash) => signCommit(privateKey, position, hash),
    verifyCommit: commitVerifier(publicKey),
  };
}

export function verifyCheckpointSignature(
  c: Pick<SignedCheckpoint, 'position' | 'headHash' | 'at' | 'keyId' | 'signature'> & { publicKey?: string },
  publicKey: KeyObject = createPublicKey(c.publicKey ?? ''),
): boolean {
  try {
    return verify(null, payload(c), publicKey, Buffer.from(c.signature, 'base64'));
  } catch {
    return false;
  }
}

/**
 * The ledger's Ed25519 key: WORKGATE_SIGNING_KEY (PEM, or base64 of PKCS#8 DER) when set,
 * otherwise generated once into `<dataDir>/ledger-signing-key.pem` (mode 0600) and reused.
 */
export function loadSigningKey(configured: string | undefined, dataDir: string): KeyObject {
  if (configured) {
    const text = configured.includes('BEGIN') ? configured : undefined;
    return text
      ? createPrivateKey(text)
      : createPrivateKey({ key: Buffer.from(configured, 'base64'), format: 'der', type: 'pkcs8' });
  }
  const path = `${dataDir}/ledger-signing-key.pem`;
  if (!existsSync(path)) {
    mkdirSync(dirname(path), { recursive: true });
    const { privateKey } = generateKeyPairSync('ed25519');
    try {
      writeFileSync(path, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600, flag: 'wx' });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error; // another process made it first
    }
  }
  return createPrivateKey(readFileSync(path, 'utf8'));
}
