import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

/** `npm run verify [-- --checkpoint <note>] --key <key>` against a test database, as an auditor runs it: exit code and output. */
export function runVerify(databaseUrl: string, key: string, keptNote?: string): { code: number; out: string } {
  const args = ['--key', key];
  if (keptNote !== undefined) {
    const file = join(mkdtempSync(join(tmpdir(), 'wg-kept-')), 'kept.note');
    writeFileSync(file, keptNote);
    args.push('--checkpoint', file);
  }
  try {
    return {
      code: 0,
      out: execFileSync(process.execPath, [join(ROOT, 'dist', 'cli', 'verify.js'), ...args], {
        encoding: 'utf8',
        env: { ...process.env, DATABASE_URL: databaseUrl },
      }),
    };
  } catch (error) {
    const e = error as { status: number; stdout: string };
    return { code: e.status, out: e.stdout };
  }
}

/** `npm run verify-receipt -- <file> --key <key>` on a file holding `text` (a receipt or a proof package), as an auditor runs it: exit code and output. */
export function runVerifyReceipt(text: string, key: string): { code: number; out: string } {
  const file = join(mkdtempSync(join(tmpdir(), 'wg-proof-')), 'proof.json');
  writeFileSync(file, text);
  try {
    return {
      code: 0,
      out: execFileSync(process.execPath, [join(ROOT, 'dist', 'cli', 'verify-receipt.js'), file, '--key', key], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      }),
    };
  } catch (error) {
    const e = error as { status: number; stdout: string };
    return { code: e.status, out: e.stdout };
  }
}
