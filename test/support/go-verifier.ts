import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Where Debian's golang-golang-x-mod-dev puts golang.org/x/mod (GOPATH layout). */
const GOCODE = '/usr/share/gocode';

export interface GoVerdict {
  ok: boolean;
  error?: string;
  origin?: string;
  size: number;
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
}

let built: string | undefined;

/**
 * Go's own verifier (golang.org/x/mod/sumdb/note and tlog, test/support/go-verifier/main.go),
 * built once per test process in GOPATH mode: `.ci/run` installs golang-go and
 * golang-golang-x-mod-dev.
 */
export function goVerify(request: GoRequest): GoVerdict {
  if (!built) {
    if (!existsSync(join(GOCODE, 'src', 'golang.org', 'x', 'mod', 'sumdb', 'note')))
      throw new Error(`golang.org/x/mod is not installed under ${GOCODE} (Debian: golang-golang-x-mod-dev)`);
    const dir = mkdtempSync(join(tmpdir(), 'wg-go-'));
    mkdirSync(join(dir, 'cache'));
    const out = join(dir, 'verify-note');
    execFileSync('go', ['build', '-o', out, join(__dirname, 'go-verifier', 'main.go')], {
      env: { ...process.env, GO111MODULE: 'off', GOPATH: GOCODE, GOCACHE: join(dir, 'cache'), GOFLAGS: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    built = out;
  }
  return JSON.parse(execFileSync(built, { input: JSON.stringify(request), encoding: 'utf8' })) as GoVerdict;
}
