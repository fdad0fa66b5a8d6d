import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freshDatabase, TestDatabase } from './support/database';
import { freePort, startNatsServer, TestNatsServer } from './support/nats-server';
import { isString, optional, parsed, shaped } from './support/guards';

/** Every process below `pid` (its children, theirs, ...). */
function descendants(pid: number): number[] {
  let children: number[];
  try {
    children = execFileSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' })
      .split('\n')
      .map((l) => Number(l.trim()))
      .filter(Boolean);
  } catch {
    children = []; // ps exits 1 when there are none
  }
  return children.flatMap((child) => [child, ...descendants(child)]);
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/**
 * `npm start` as an operator runs it, with its output going to a pipe: every line workgate
 * writes is a JSON log record (no colour codes), and SIGTERM sent to npm's own process stops
 * everything it started, saying what it stopped, in order.
 */
describe('npm start', () => {
  let nats: TestNatsServer;
  let db: TestDatabase;
  let dataDir: string;

  beforeAll(async () => {
    nats = await startNatsServer();
    db = await freshDatabase();
    dataDir = mkdtempSync(join(tmpdir(), 'wg-npm-start-'));
  });
  afterAll(async () => {
    await db?.drop();
    await nats?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('stops every process it started on SIGTERM to npm, in order, logging JSON lines', async () => {
    const port = await freePort();
    const npm = spawn('npm', ['start'], {
      cwd: join(__dirname, '..'),
      env: {
        ...process.env,
        DATABASE_URL: db.url,
        NATS_URL: nats.url,
        PORT: String(port),
        WORKGATE_DATA_DIR: dataDir,
        LOG_LEVEL: 'info',
        WORKGATE_SIGNING_KEY: '',
        WORKGATE_MCP_FILES_DIR: '',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    npm.stdout.on('data', (chunk) => (out += chunk.toString()));
    npm.stderr.on('data', (chunk) => (out += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => npm.once('exit', (code) => resolve(code)));
    const deadline = Date.now() + 60_000;
    while (!/"message":"ready/.test(out)) {
      if (Date.now() > deadline || npm.exitCode !== null) throw new Error(`npm start did not get ready:\n${out}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    expect((await fetch(`http://127.0.0.1:${port}/health`)).status).toBe(200);
    const started = descendants(npm.pid!);
    expect(started.length).toBeGreaterThan(0);

    npm.kill('SIGTERM');
    try {
      // Bounded, so a process left behind fails the test instead of hanging it.
      const code = await Promise.race([
        exited,
        new Promise<'still running'>((r) => setTimeout(() => r('still running'), 20_000)),
      ]);
      expect(code).toBe(0);
      // Every process npm started is gone once npm has exited.
      await new Promise((r) => setTimeout(r, 200));
      expect(started.filter(alive)).toEqual([]);
    } finally {
      for (const pid of [npm.pid!, ...started].filter(alive)) process.kill(pid, 'SIGKILL');
    }
    // Checked once everything is stopped. A new user's shipped agent-files workflow works: its filesystem server gets a sandbox of its own.
    expect(out).toContain(
      `WORKGATE_MCP_FILES_DIR is not set: the agent-files workflow's filesystem server sees ${join(dataDir, 'files')}`,
    );
    expect(statSync(join(dataDir, 'files')).isDirectory()).toBe(true);

    // npm's own lines (`> workgate@… start`, its warnings) and the build step's aside, every line is a JSON log record.
    const lines = out
      .split('\n')
      .filter(
        (l) => l.trim() && !l.startsWith('>') && !l.startsWith('npm ') && !l.startsWith('workgate: building dist/'),
      );
    expect(lines.filter((l) => l.includes('\x1b'))).toEqual([]);
    const records = lines.map((l) => {
      try {
        return parsed(l, shaped({ message: isString, level: isString, context: optional(isString) }), 'a log line');
      } catch {
        throw new Error(`not a JSON line: ${l}`);
      }
    });
    const told = records.filter((r) => r.context === 'workgate').map((r) => r.message);
    expect(told.slice(told.indexOf('SIGTERM: draining and stopping'))).toEqual([
      'SIGTERM: draining and stopping',
      'stopped gateway',
      "stopped intake (the ledger's thread)",
      'stopped approvals',
      'stopped policy',
      'stopped exceptions',
      'stopped ledger (its own thread)',
      'stopped',
    ]);
    expect(records.map((r) => r.message).join('\n')).not.toMatch(/not the ledger writer \(standby\)/);
  }, 90_000);
});
