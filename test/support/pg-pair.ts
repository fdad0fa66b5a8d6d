import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { ensurePostgres, freePort } from '../../cli/infra';

const BIN = execFileSync('pg_config', ['--bindir'], { encoding: 'utf8' }).trim();
/** A Postgres tool run as the `postgres` system user (Postgres refuses to run as root). */
export const asPostgres = (tool: string, ...args: string[]) =>
  execFileSync('runuser', ['-u', 'postgres', '--', join(BIN, tool), ...args], { stdio: 'pipe' });

/** One node of a private cluster pair: its data directory and port on loopback. */
export interface PgNode {
  dir: string;
  port: number;
}
export const startNode = (n: PgNode) =>
  asPostgres(
    'pg_ctl',
    '-D',
    n.dir,
    '-l',
    join(n.dir, 'server.log'),
    '-o',
    `-p ${n.port} -c listen_addresses=127.0.0.1 -k ${n.dir}`,
    '-w',
    'start',
  );
/** `fast` ends the sessions and writes a checkpoint; `immediate` is a crash (no checkpoint, nothing more sent to a standby). */
export const stopNode = (n: PgNode, mode: 'fast' | 'immediate' = 'fast') =>
  asPostgres('pg_ctl', '-D', n.dir, '-m', mode, '-w', 'stop');
export const promoteNode = (n: PgNode) => asPostgres('pg_ctl', '-D', n.dir, '-w', 'promote');
export const nodeUrl = (n: PgNode) => `postgres://root@127.0.0.1:${n.port}/postgres`;

export async function onNode<T>(n: PgNode, sql: string): Promise<T[]> {
  const client = new Client({ connectionString: nodeUrl(n) });
  await client.connect();
  try {
    return (await client.query(sql)).rows;
  } finally {
    await client.end();
  }
}
export const nodeRole = async (n: PgNode) =>
  (await onNode<{ r: boolean }>(n, 'SELECT pg_is_in_recovery() AS r'))[0].r ? 'standby' : 'primary';

/** A primary and a standby streaming from it, asynchronously (no synchronous_standby_names), in a directory of their own. */
export interface PgPair {
  root: string;
  primary: PgNode;
  standby: PgNode;
  /** Stops both nodes (whichever still runs) and removes their directory. */
  remove(): void;
}

/**
 * A private primary on loopback (`prepare` runs on it, e.g. tables or migrations), then a standby
 * from its base backup (`pg_basebackup -R`: it streams from the primary), started and in recovery.
 */
export async function startPgPair(prefix: string, prepare: (primary: PgNode) => Promise<unknown>): Promise<PgPair> {
  const root = mkdtempSync(join(tmpdir(), prefix));
  chmodSync(root, 0o755); // the postgres system user runs the clusters inside it
  const primary = { dir: join(root, 'postgres'), port: await freePort() };
  const standby = { dir: join(root, 'standby'), port: await freePort() };
  await ensurePostgres(nodeUrl(primary), root, () => undefined);
  await prepare(primary);
  mkdirSync(standby.dir, { mode: 0o700 });
  execFileSync('chown', ['postgres', standby.dir]);
  asPostgres(
    'pg_basebackup',
    '-h',
    '127.0.0.1',
    '-p',
    String(primary.port),
    '-U',
    'root',
    '-D',
    standby.dir,
    '-R',
    '-X',
    'stream',
  );
  startNode(standby);
  return {
    root,
    primary,
    standby,
    remove: () => {
      for (const n of [standby, primary])
        try {
          stopNode(n);
        } catch {
          // not running
        }
      rmSync(root, { recursive: true, force: true });
    },
  };
}
