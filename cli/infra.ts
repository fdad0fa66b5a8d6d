import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, rmSync } from 'node:fs';
import { createServer, connect as netConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { isHostList, parsePostgresUrl } from '@workgate/config';

/** Resolves true when something accepts connections at host:port, or at a Unix socket's path. */
export function answers(at: { host: string; port: number } | { path: string }, timeoutMs = 1000): Promise<boolean> {
  return new Promise((done) => {
    const socket = netConnect(at);
    const finish = (ok: boolean) => {
      socket.destroy();
      done(ok);
    };
    socket.setTimeout(timeoutMs, () => finish(false));
    socket.once('connect', () => finish(true));
    socket.once('error', () => finish(false));
  });
}

export async function waitFor(host: string, port: number, what: string, timeoutMs = 20_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (await answers({ host, port }, 500)) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${what} did not start answering on ${host}:${port}`);
}

function which(binary: string): string | undefined {
  try {
    return execFileSync('sh', ['-c', `command -v ${binary}`], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

function postgresBinDir(): string | undefined {
  const pgConfig = which('pg_config');
  if (pgConfig) {
    const dir = execFileSync(pgConfig, ['--bindir'], { encoding: 'utf8' }).trim();
    if (existsSync(join(dir, 'initdb'))) return dir;
  }
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root).sort((a, b) => Number(b) - Number(a));
  return versions.map((v) => join(root, v, 'bin')).find((d) => existsSync(join(d, 'initdb')));
}

export interface PrivateInstance {
  what: string;
  stop(): Promise<void>;
}

export interface NatsServerProcess {
  url: string;
  /** The server's process id (what its CPU is read by). */
  pid: number;
  /** Stops the server (SIGTERM) or crashes it (SIGKILL); resolves when it has exited. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Sends a signal and returns at once (SIGSTOP freezes the server, SIGCONT resumes it). */
  signal(signal: NodeJS.Signals): void;
}

/** Spawns nats-server with JetStream on host:port, storing under `storeDir`; resolves once it answers. */
export async function spawnNatsServer(
  host: string,
  port: number,
  storeDir: string,
  options: { logFile?: string; detached?: boolean; extraArgs?: string[] } = {},
): Promise<NatsServerProcess> {
  const binary = which('nats-server');
  if (!binary) throw new Error('no nats-server binary is installed');
  mkdirSync(storeDir, { recursive: true });
  const out = options.logFile ? openSync(options.logFile, 'a') : 'ignore';
  const child = spawn(binary, ['-a', host, '-p', String(port), '-js', '-sd', storeDir, ...(options.extraArgs ?? [])], {
    stdio: ['ignore', out, out],
    detached: options.detached ?? false,
  });
  if (options.detached) child.unref();
  await waitFor(host, port, 'nats-server', 10_000);
  return {
    url: `nats://${host}:${port}`,
    pid: child.pid ?? 0,
    kill: (signal = 'SIGTERM') =>
      new Promise((resolveKill) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolveKill();
        child.once('exit', () => resolveKill());
        child.kill(signal);
      }),
    signal: (signal) => void child.kill(signal),
  };
}

/** Starts a private nats-server with JetStream under `<dataDir>/nats` when nothing answers at the URL. */
export async function ensureNats(
  natsUrl: string,
  dataDir: string,
  log: (m: string) => void,
): Promise<PrivateInstance | undefined> {
  const first = new URL(natsUrl.split(',')[0]);
  const host = first.hostname || '127.0.0.1';
  const port = Number(first.port || 4222);
  if (await answers({ host, port })) return undefined;
  if (!which('nats-server')) throw new Error(`nothing answers at ${natsUrl} and no nats-server binary is installed`);
  const dir = resolve(dataDir, 'nats');
  const server = await spawnNatsServer(host, port, dir, { logFile: join(dataDir, 'nats.log'), detached: true });
  log(`started a private nats-server on ${host}:${port} (data in ${dir})`);
  return { what: 'nats-server', stop: () => server.kill() };
}

/** Starts a private Postgres cluster under `<dataDir>/postgres` when nothing answers at the URL. */
export async function ensurePostgres(
  databaseUrl: string,
  dataDir: string,
  log: (m: string) => void,
): Promise<PrivateInstance | undefined> {
  if (isHostList(databaseUrl)) {
    // A fleet's servers (docs/operations.md, Running a fleet): never one started here.
    const servers = parsePostgresUrl(databaseUrl).hosts.map((h) => ({ host: h.host, port: h.port ?? 5432 }));
    for (const { host, port } of servers)
      if (await answers(host.startsWith('/') ? { path: join(host, `.s.PGSQL.${port}`) } : { host, port }))
        return undefined;
    throw new Error(`no host of DATABASE_URL answers (${servers.map((s) => `${s.host}:${s.port}`).join(', ')})`);
  }
  const url = new URL(databaseUrl);
  const host = decodeURIComponent(url.hostname) || '127.0.0.1';
  const port = Number(url.port || 5432);
  if (host.startsWith('/')) {
    // A Unix socket's directory (`postgres://%2Fvar%2Frun%2Fpostgresql/workgate`): a Postgres on this machine.
    const socket = join(host, `.s.PGSQL.${port}`);
    if (await answers({ path: socket })) return undefined;
    throw new Error(`nothing answers at the Unix socket ${socket}`);
  }
  if (await answers({ host, port })) return undefined;
  const bin = postgresBinDir();
  if (!bin)
    throw new Error(`nothing answers at ${host}:${port} and no Postgres binaries (initdb, pg_ctl) are installed`);
  const dir = resolve(dataDir, 'postgres');
  // Postgres refuses to run as root: run it as the `postgres` system user when we are root.
  const asUser = process.getuid?.() === 0 ? ['runuser', '-u', 'postgres', '--'] : [];
  const run = (args: string[]) => {
    const [cmd, ...rest] = [...asUser, ...args];
    execFileSync(cmd, rest, { stdio: 'ignore' });
  };
  mkdirSync(dir, { recursive: true });
  if (asUser.length) execFileSync('chown', ['-R', 'postgres', dir]);
  const user =
    decodeURIComponent(url.username) || (process.getuid?.() === 0 ? 'root' : (process.env.USER ?? 'postgres'));
  if (!existsSync(join(dir, 'PG_VERSION')))
    run([join(bin, 'initdb'), '-D', dir, '-U', user, '--auth=trust', '-E', 'UTF8']);
  run([
    join(bin, 'pg_ctl'),
    '-D',
    dir,
    '-l',
    join(dir, 'server.log'),
    '-o',
    `-p ${port} -c listen_addresses=${host} -k ${dir}`,
    '-w',
    'start',
  ]);
  await waitFor(host, port, 'postgres');
  log(`started a private Postgres on ${host}:${port} (data in ${dir})`);
  return {
    what: 'postgres',
    stop: async () => run([join(bin, 'pg_ctl'), '-D', dir, '-m', 'fast', 'stop']),
  };
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      if (address === null || typeof address === 'string') return reject(new Error('the port has no TCP address'));
      server.close(() => resolve(address.port));
    });
  });
}

export interface ScratchNatsServer {
  url: string;
  port: number;
  storeDir: string;
  /** The server's process id (a new one after `restart`). */
  readonly pid: number;
  stop(): Promise<void>;
  /** Kill -9 and start again on the same port with the same store (a crash). */
  restart(): Promise<void>;
  /** Sends the server process a signal (SIGSTOP freezes it, SIGCONT resumes it). */
  signal(signal: NodeJS.Signals): void;
}

/**
 * A private nats-server with JetStream for one test file (or benchmark), on a free loopback port:
 * they never share streams or subjects, and one may kill its server without touching others.
 */
export async function startScratchNats(extraArgs: string[] = []): Promise<ScratchNatsServer> {
  const port = await freePort();
  const storeDir = mkdtempSync(join(tmpdir(), 'wg-nats-'));
  let server: NatsServerProcess = await spawnNatsServer('127.0.0.1', port, storeDir, { extraArgs });
  return {
    url: server.url,
    port,
    storeDir,
    get pid() {
      return server.pid;
    },
    stop: async () => {
      await server.kill();
      rmSync(storeDir, { recursive: true, force: true });
    },
    restart: async () => {
      await server.kill('SIGKILL');
      server = await spawnNatsServer('127.0.0.1', port, storeDir, { extraArgs });
    },
    signal: (signal) => server.signal(signal),
  };
}
