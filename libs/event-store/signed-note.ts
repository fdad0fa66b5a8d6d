import { createHash, createPublicKey, KeyObject, sign, verify } from 'node:crypto';

/**
 * C2SP signed notes (https://c2sp.org/signed-note) with Ed25519, and the tlog checkpoints they
 * carry (https://c2sp.org/tlog-checkpoint): what any standard verifier (Go's
 * golang.org/x/mod/sumdb/note among them) checks without knowing workgate.
 */

const ED25519 = 0x01;
/** U+2014 EM DASH and a space: how every signature line starts. */
const SIGNATURE_PREFIX = '\u2014 ';

/** The raw 32-byte Ed25519 public key of a key. */
export function rawPublicKey(key: KeyObject): Buffer {
  const { x } = createPublicKey(key).export({ format: 'jwk' });
  if (x === undefined) throw new Error('not an Ed25519 key: its JWK has no x');
  return Buffer.from(x, 'base64url');
}

/** The 4-byte key hash of a signed-note key: the first 4 bytes of SHA-256(name ‖ "\n" ‖ 0x01 ‖ key). */
export function noteKeyHash(name: string, publicKey: Buffer): Buffer {
  return createHash('sha256')
    .update(`${name}\n`)
    .update(Buffer.from([ED25519]))
    .update(publicKey)
    .digest()
    .subarray(0, 4);
}

/** The verifier key a standard verifier takes: `<name>+<hex key hash>+<base64(0x01 ‖ key)>`. */
export function verifierKey(name: string, publicKey: Buffer): string {
  return `${name}+${noteKeyHash(name, publicKey).toString('hex')}+${Buffer.concat([Buffer.from([ED25519]), publicKey]).toString('base64')}`;
}

/** A key name as the spec allows it: non-empty, no whitespace, no `+`. */
export function isValidKeyName(name: string): boolean {
  return name.length > 0 && !/[\s+]/u.test(name);
}

/** Signs `text` (which ends with a newline) as a signed note of one signature. */
export function signNote(text: string, name: string, privateKey: KeyObject): string {
  if (!text.endsWith('\n')) throw new Error('a note text ends with a newline');
  const publicKey = rawPublicKey(privateKey);
  const signature = sign(null, Buffer.from(text, 'utf8'), privateKey);
  return `${text}\n${SIGNATURE_PREFIX}${name} ${Buffer.concat([noteKeyHash(name, publicKey), signature]).toString('base64')}\n`;
}

/** Parses a verifier key; undefined when it is not one. */
export function parseVerifierKey(vkey: string): { name: string; keyHash: Buffer; publicKey: Buffer } | undefined {
  // `<name>+<hash>+<key>`: the key's base64 may hold `+` itself.
  const [name, hash] = vkey.trim().split('+', 2);
  const key = vkey.trim().slice(`${name}+${hash}+`.length);
  if (!name || !/^[0-9a-f]{8}$/.test(hash ?? '') || !key) return undefined;
  const raw = Buffer.from(key, 'base64');
  if (raw.length !== 33 || raw[0] !== ED25519) return undefined;
  const publicKey = raw.subarray(1);
  if (!noteKeyHash(name, publicKey).equals(Buffer.from(hash, 'hex'))) return undefined;
  return { name, keyHash: Buffer.from(hash, 'hex'), publicKey };
}

/** The text of a signed note whose signature by `vkey` verifies, or why it does not. */
export function openNote(note: string, vkey: string): { ok: true; text: string } | { ok: false; reason: string } {
  const key = parseVerifierKey(vkey);
  if (!key) return { ok: false, reason: 'not a verifier key (<name>+<key hash>+<base64 Ed25519 key>)' };
  const split = note.lastIndexOf('\n\n');
  if (split < 0) return { ok: false, reason: 'not a signed note (no blank line before the signatures)' };
  const text = note.slice(0, split + 1);
  const lines = note
    .slice(split + 2)
    .split('\n')
    .filter((l) => l !== '');
  const publicKey = createPublicKey({
    key: { kty: 'OKP', crv: 'Ed25519', x: key.publicKey.toString('base64url') },
    format: 'jwk',
  });
  for (const line of lines) {
    if (!line.startsWith(SIGNATURE_PREFIX)) return { ok: false, reason: `not a signature line: ${line.slice(0, 40)}` };
    const [name, b64] = line.slice(SIGNATURE_PREFIX.length).split(' ');
    if (name !== key.name) continue;
    const sig = Buffer.from(b64 ?? '', 'base64');
    if (sig.length !== 68 || !sig.subarray(0, 4).equals(key.keyHash)) continue;
    if (verify(null, Buffer.from(text, 'utf8'), publicKey, sig.subarray(4))) return { ok: true, text };
    return { ok: false, reason: `the signature by ${name} does not verify` };
  }
  return { ok: false, reason: `no signature by ${key.name}` };
}

/** A C2SP tlog checkpoint: the log's origin, its tree size and root hash. */
export interface Checkpoint {
  origin: string;
  size: number;
  root: Buffer;
}

export function checkpointText(c: Checkpoint): string {
  return `${c.origin}\n${c.size}\n${c.root.toString('base64')}\n`;
}

/** The checkpoint a note's text holds, or undefined. */
export function parseCheckpoint(text: string): Checkpoint | undefined {
  const [origin, size, root] = text.split('\n');
  if (!origin || !/^(0|[1-9]\d{0,15})$/.test(size ?? '') || !root) return undefined;
  const hash = Buffer.from(root, 'base64');
  return hash.length === 32 && hash.toString('base64') === root
    ? { origin, size: Number(size), root: hash }
    : undefined;
}
