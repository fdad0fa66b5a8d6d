import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, KeyObject, sign, verify } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { canonicalize, SignedCheckpoint } from '@workgate/contracts';

export interface CheckpointSigner {
  keyId: string;
  publicKeyPem: string;
  sign(position: number, headHash: string, at: string): SignedCheckpoint;
  verify(c: SignedCheckpoint): boolean;
}

function payload(c: Pick<SignedCheckpoint, 'position' | 'headHash' | 'at' | 'keyId'>): Buffer {
  return Buffer.from(canonicalize({ position: c.position, headHash: c.headHash, at: c.at, keyId: c.keyId }));
}

export function signerFromKey(privateKey: KeyObject): CheckpointSigner {
  const publicKey = createPublicKey(privateKey);
  const publicKeyPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const keyId = createHash('sha256').update(publicKey.export({ type: 'spki', format: 'der' })).digest('hex').slice(0, 16);
  return {
    keyId,
    publicKeyPem,
    sign: (position, headHash, at) => {
      const unsigned = { position, headHash, at, keyId };
      return { ...unsigned, signature: sign(null, payload(unsigned), privateKey).toString('base64'), publicKey: publicKeyPem };
    },
    verify: (c) => c.keyId === keyId && verifyCheckpointSignature(c, publicKey),
  };
}

export function verifyCheckpointSignature(c: SignedCheckpoint, publicKey: KeyObject = createPublicKey(c.publicKey)): boolean {
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
    return text ? createPrivateKey(text) : createPrivateKey({ key: Buffer.from(configured, 'base64'), format: 'der', type: 'pkcs8' });
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
