import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, openSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The processes and files a shared workgate (shared-workgate.ts) keeps outside the jest worker that started it. */
const ROOT = join(__dirname, '..', '..');

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export function writeAtomically(path: string, text: string): void {
  const temp = `${path}.${randomBytes(4).toString('hex')}.tmp`;
  writeFileSync(temp, text);
  renameSync(temp, path);
}

export /** A detached process whose output goes to `log`: it outlives the file that started it, and holds no handle of the worker's. */
function spawnDetached(command: string, args: string[], log: string, env?: NodeJS.ProcessEnv): number {
  const out = openSync(log, 'a');
  try {
    const child = spawn(command, args, { cwd: ROOT, env, stdio: ['ignore', out, out], detached: true });
    child.unref();
    if (child.pid === undefined) throw new Error(`cannot start ${command}`);
    return child.pid;
  } finally {
    closeSync(out);
  }
}

export const logTail = (path: string) => (existsSync(path) ? readFileSync(path, 'utf8').slice(-4000) : '');
