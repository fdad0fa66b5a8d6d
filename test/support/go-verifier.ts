import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import type { ProofPackage } from '@workgate/contracts';
import { Guard, isBoolean, isNumber, isString, optional, parsed, shaped } from './guards';

/** Where Debian's golang-golang-x-mod-dev puts golang.org/x/mod (GOPATH layout). */
const GOCODE = '/usr/share/gocode';

export interface GoVerdict {
  ok: boolean;
  error?: string;
  origin?: string;
  size: number;
  /** How many records of `leaves` were checked. */
  checked?: number;
}

const isGoVerdict: Guard<GoVerdict> = shaped({
  ok: isBoolean,
  error: optional(isString),
  origin: optional(isString),
  size: isNumber,
  checked: optional(isNumber),
});

/** A record of a proof package: its leaf index, its data (the event's chain hash, hex) and its inclusion proof. */
export interface GoLeaf {
  leafIndex: number;
  leaf: string;
  inclusion: string[];
}

export interface GoRequest {
  verifierKey: string;
  note: string;
  leafIndex?: number;
  /** The leaf's data: the event's chain hash, hex. */
  leaf?: string;
  inclusion?: string[];
  oldNote?: string;
  consistency?: string[];
  /** Records all proved against `note`. */
  leaves?: GoLeaf[];
  /** A definition's text, and the policy sha256 (hex) it must hash to. */
  definition?: string;
  policies?: string[];
}

let built: string | undefined;

/**
 * The verifier's binary, built once per source and Go version into `node_modules/.cache` (kept
 * between runs, shared by the jest workers: each builds to a name of its own, then renames it in).
 */
function verifierBinary(): string {
  if (!existsSync(join(GOCODE, 'src', 'golang.org', 'x', 'mod', 'sumdb', 'note')))
    throw new Error(`golang.org/x/mod is not installed under ${GOCODE} (Debian: golang-golang-x-mod-dev)`);
  const source = join(__dirname, 'go-verifier', 'main.go');
  const goVersion = execFileSync('go', ['version'], { encoding: 'utf8' });
  const key = createHash('sha256').update(readFileSync(source)).update(goVersion).digest('hex').slice(0, 16);
  const dir = join(__dirname, '..', '..', 'node_modules', '.cache', 'workgate-go-verifier');
  const out = join(dir, `verify-note-${key}`);
  if (existsSync(out)) return out;
  mkdirSync(join(dir, 'gocache'), { recursive: true });
  const partial = `${out}.${process.pid}`;
  execFileSync('go', ['build', '-o', partial, source], {
    env: { ...process.env, GO111MODULE: 'off', GOPATH: GOCODE, GOCACHE: join(dir, 'gocache'), GOFLAGS: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  renameSync(partial, out);
  return out;
}

/**
 * Go's own verifier (golang.org/x/mod/sumdb/note and tlog, test/support/go-verifier/main.go),
 * built in GOPATH mode: `.ci/run` installs golang-go and golang-golang-x-mod-dev.
 */
export function goVerify(request: GoRequest): GoVerdict {
  built ??= verifierBinary();
  return parsed(
    execFileSync(built, { input: JSON.stringify(request), encoding: 'utf8' }),
    isGoVerdict,
    'the Go verdict',
  );
}

/**
 * A proof package as Go checks it: its checkpoint with the verifier key, every receipt's inclusion
 * proof against that one checkpoint, and the SHA-256 of its definition against the policy every
 * decision receipt names.
 */
export function goVerifyPackage(pkg: ProofPackage, verifierKey: string): GoVerdict {
  return goVerify({
    verifierKey,
    note: pkg.checkpoint,
    leaves: pkg.receipts.map((r) => ({
      leafIndex: r.proof?.leafIndex ?? -1,
      leaf: r.ledger.hash,
      inclusion: r.proof?.inclusion ?? [],
    })),
    definition: pkg.definition,
    policies: pkg.receipts.filter((r) => r.kind === 'decision').map((r) => r.policy.sha256),
  });
}
