import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { answers } from '../../cli/infra';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface TestNatsServer {
  url: string;
  port: number;
  storeDir: string;
  stop(): Promise<void>;
  /** Kill -9 and start again on the same port with the same store (a crash). */
  restart(): Promise<void>;
}

function natsBinary(): string {
  return execFileSync('sh', ['-c', 'command -v nats-server'], { encoding: 'utf8' }).trim();
}

/**
 * A private nats-server with JetStream for one test file, on a free loopback port: test files
 * never share streams or subjects, and a test may kill its server without touching others.
 */
export async function startNatsServer(extraArgs: string[] = []): Promise<TestNatsServer> {
  const port = await freePort();
  const storeDir = mkdtempSync(join(tmpdir(), 'wg-nats-'));
  const binary = natsBinary();
  let child: ChildProcess | undefined;
  const launch = async () => {
    child = spawn(binary, ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', storeDir, ...extraArgs], { stdio: 'ignore' });
    const until = Date.now() + 10_000;
    while (!(await answers('127.0.0.1', port, 200))) {
      if (Date.now() > until) throw new Error('nats-server did not start');
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const kill = async (signal: NodeJS.Signals) => {
    const c = child;
    if (!c || c.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      c.once('exit', () => resolve());
      c.kill(signal);
    });
  };
  await launch();
  return {
    url: `nats://127.0.0.1:${port}`,
    port,
    storeDir,
    stop: async () => {
      await kill('SIGTERM');
      rmSync(storeDir, { recursive: true, force: true });
    },
    restart: async () => {
      await kill('SIGKILL');
      await launch();
    },
  };
}
