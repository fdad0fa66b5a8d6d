import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readdirSync } from 'node:fs';
import { connect as netConnect } from 'node:net';
import { join, resolve } from 'node:path';

/** Resolves true when something accepts TCP connections at host:port. */
export function answers(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((done) => {
    const socket = netConnect({ host, port });
    const finish = (ok: boolean) => {
      socket.destroy();
      done(ok);
    };
    socket.setTimeout(timeoutMs, () => finish(false));
    socket.once('connect', () => finish(true));
    socket.once('error', () => finish(false));
  });
}

async function waitFor(host: string, port: number, what: string, timeoutMs = 20_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (await answers(host, port, 500)) return;
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

/** Starts a private nats-server with JetStream under `<dataDir>/nats` when nothing answers at the URL. */
export async function ensureNats(natsUrl: string, dataDir: string, log: (m: string) => void): Promise<PrivateInstance | undefined> {
  const first = new URL(natsUrl.split(',')[0]);
  const host = first.hostname || '127.0.0.1';
  const port = Number(first.port || 4222);
  if (await answers(host, port)) return undefined;
  const binary = which('nats-server');
  if (!binary) throw new Error(`nothing answers at ${natsUrl} and no nats-server binary is installed`);
  const dir = resolve(dataDir, 'nats');
  mkdirSync(dir, { recursive: true });
  const out = openSync(join(dataDir, 'nats.log'), 'a');
  const child = spawn(binary, ['-a', host, '-p', String(port), '-js', '-sd', dir], { stdio: ['ignore', out, out], detached: true });
  child.unref();
  await waitFor(host, port, 'nats-server');
  log(`started a private nats-server on ${host}:${port} (data in ${dir})`);
  return {
    what: 'nats-server',
    stop: async () => {
      child.kill('SIGTERM');
    },
  };
}

/** Starts a private Postgres cluster under `<dataDir>/postgres` when nothing answers at the URL. */
export async function ensurePostgres(databaseUrl: string, dataDir: string, log: (m: string) => void): Promise<PrivateInstance | undefined> {
  const url = new URL(databaseUrl);
  const host = url.hostname || '127.0.0.1';
  const port = Number(url.port || 5432);
  if (await answers(host, port)) return undefined;
  const bin = postgresBinDir();
  if (!bin) throw new Error(`nothing answers at ${host}:${port} and no Postgres binaries (initdb, pg_ctl) are installed`);
  const dir = resolve(dataDir, 'postgres');
  // Postgres refuses to run as root: run it as the `postgres` system user when we are root.
  const asUser = process.getuid?.() === 0 ? ['runuser', '-u', 'postgres', '--'] : [];
  const run = (args: string[]) => {
    const [cmd, ...rest] = [...asUser, ...args];
    execFileSync(cmd, rest, { stdio: 'ignore' });
  };
  mkdirSync(dir, { recursive: true });
  if (asUser.length) execFileSync('chown', ['-R', 'postgres', dir]);
  const user = decodeURIComponent(url.username) || (process.getuid?.() === 0 ? 'root' : process.env.USER ?? 'postgres');
  if (!existsSync(join(dir, 'PG_VERSION'))) run([join(bin, 'initdb'), '-D', dir, '-U', user, '--auth=trust', '-E', 'UTF8']);
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
