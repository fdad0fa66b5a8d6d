import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chownSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { Client, QueryResultRow } from 'pg';
import { freePort } from '../../../cli/infra';
import { eventually } from '../../support/processes';

const PG_BIN = execFileSync('pg_config', ['--bindir'], { encoding: 'utf8' }).trim();
const POSTGRES_UID = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
const POSTGRES_GID = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());

/**
 * The monitor's failure detection, tightened for a test on loopback: a primary that stops answering
 * is failed over in a few seconds (the shipped defaults take about 50 s). A primary cut off from the
 * monitor demotes itself after `network_partition_timeout` (set on each node below), well before the
 * monitor lets a standby take writes (`primary_demote_timeout`), so two primaries never take writes.
 */
const MONITOR_SETTINGS: Record<string, number> = {
  health_check_period: 1000,
  health_check_timeout: 1000,
  health_check_max_retries: 1,
  health_check_retry_delay: 500,
  node_considered_unhealthy_timeout: 3000,
  primary_demote_timeout: 6000,
};
const NETWORK_PARTITION_TIMEOUT_S = 3;

/** One pg_autoctl-managed server: its data directory, port and the keeper process running it. */
interface Keeper {
  name: string;
  dir: string;
  port: number;
  process?: ChildProcess;
}

/**
 * A Postgres primary and a standby under pg_auto_failover (a monitor and two keepers) on loopback,
 * run as the `postgres` user in `root`. `url(database)` is the host list workgate is given
 * (docs/operations.md, Running a fleet).
 */
export class PostgresHa {
  readonly monitor: Keeper;
  readonly nodes: Keeper[];

  private constructor(
    private readonly root: string,
    ports: number[],
  ) {
    this.monitor = { name: 'monitor', dir: join(root, 'monitor'), port: ports[0] };
    this.nodes = [1, 2].map((i) => ({ name: `node${i}`, dir: join(root, `node${i}`), port: ports[i] }));
  }

  static async start(root: string): Promise<PostgresHa> {
    mkdirSync(root, { recursive: true });
    chownSync(root, POSTGRES_UID, POSTGRES_GID);
    const ha = new PostgresHa(root, [await freePort(), await freePort(), await freePort()]);
    try {
      await ha.formMonitor();
      for (const node of ha.nodes) {
        ha.keep(node, ['create', 'postgres', ...ha.nodeArgs(node)]);
        // The first node runs alone (`single`) until the second has cloned it and streams from it.
        await eventually(
          () => ha.reported(node.name, node === ha.nodes[0] ? ['single'] : ['secondary']),
          180_000,
          `${node.name} to join (its log: ${join(root, `${node.name}.log`)})`,
        );
        ha.autoctl([
          'config',
          'set',
          '--pgdata',
          node.dir,
          'timeout.network_partition_timeout',
          `${NETWORK_PARTITION_TIMEOUT_S}`,
        ]);
      }
      await eventually(() => ha.reported(ha.nodes[0].name, ['primary']), 60_000, 'the primary with its standby');
      await ha.onPrimary(
        `DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'root') THEN CREATE ROLE root SUPERUSER LOGIN; END IF; END $$`,
      );
    } catch (error) {
      await ha.stop();
      throw error;
    }
    return ha;
  }

  /** The libpq host list of both nodes, as a fleet names them. */
  url(database: string): string {
    const hosts = this.nodes.map((n) => `127.0.0.1:${n.port}`).join(',');
    return `postgres://root@${hosts}/${database}?target_session_attrs=read-write&connect_timeout=2`;
  }

  /** The node the monitor last saw as primary. */
  async primary(): Promise<Keeper> {
    const rows = await this.onMonitor<{ nodename: string }>(
      "SELECT nodename FROM pgautofailover.node WHERE reportedstate IN ('primary', 'wait_primary', 'single')",
    );
    const node = this.nodes.find((n) => n.name === rows[0]?.nodename);
    if (!node) throw new Error('the monitor knows no primary');
    return node;
  }

  /** Kills a node hard: its keeper's whole process group and every Postgres process of it (SIGKILL), as a machine that dies. */
  kill(node: Keeper): void {
    if (node.process?.pid) killGroup(node.process.pid);
    node.process = undefined;
    killPostgresOf(node.dir);
  }

  /** Starts a killed node's keeper again: it rejoins as a standby of the new primary. */
  async rejoin(node: Keeper): Promise<void> {
    this.keep(node, ['run', '--pgdata', node.dir]);
    await eventually(() => this.reported(node.name, ['secondary']), 120_000, `${node.name} to rejoin as a standby`);
  }

  async stop(): Promise<void> {
    for (const keeper of [...this.nodes, this.monitor]) {
      if (keeper.process?.pid) killGroup(keeper.process.pid);
      keeper.process = undefined;
      killPostgresOf(keeper.dir);
    }
  }

  private async formMonitor(): Promise<void> {
    this.autoctl([
      'create',
      'monitor',
      '--pgctl',
      join(PG_BIN, 'pg_ctl'),
      '--pgdata',
      this.monitor.dir,
      '--pgport',
      `${this.monitor.port}`,
      '--hostname',
      '127.0.0.1',
      '--auth',
      'trust',
      '--no-ssl',
    ]);
    this.keep(this.monitor, ['run', '--pgdata', this.monitor.dir]);
    await eventually(() => this.onMonitor('SELECT 1').then(() => true), 60_000, 'the pg_auto_failover monitor');
    for (const [name, value] of Object.entries(MONITOR_SETTINGS))
      await this.onMonitor(`ALTER SYSTEM SET pgautofailover.${name} = ${value}`);
    await this.onMonitor('SELECT pg_reload_conf()');
  }

  private nodeArgs(node: Keeper): string[] {
    const monitor = `postgres://autoctl_node@127.0.0.1:${this.monitor.port}/pg_auto_failover?sslmode=disable`;
    return [
      '--pgctl',
      join(PG_BIN, 'pg_ctl'),
      '--pgdata',
      node.dir,
      '--pgport',
      `${node.port}`,
      '--hostname',
      '127.0.0.1',
      '--name',
      node.name,
      '--auth',
      'trust',
      '--no-ssl',
      '--monitor',
      monitor,
      '--run',
    ];
  }

  private reported(name: string, states: string[]): Promise<boolean> {
    return this.onMonitor<{ s: string }>('SELECT reportedstate AS s FROM pgautofailover.node WHERE nodename = $1', [
      name,
    ]).then((rows) => states.includes(rows[0]?.s));
  }

  /** Runs pg_autoctl as `postgres`, its configuration and state under the cluster's directory. */
  private autoctl(args: string[]): void {
    execFileSync('runuser', ['-u', 'postgres', '--', 'env', ...this.env(), 'pg_autoctl', ...args], { stdio: 'pipe' });
  }

  private keep(keeper: Keeper, args: string[]): void {
    const log = openSync(join(this.root, `${keeper.name}.log`), 'a');
    // A process group of its own: the keeper's services (it restarts Postgres when Postgres dies) die with it.
    keeper.process = spawn('runuser', ['-u', 'postgres', '--', 'env', ...this.env(), 'pg_autoctl', ...args], {
      stdio: ['ignore', log, log],
      detached: true,
    });
  }

  private env(): string[] {
    return [
      `HOME=${this.root}`,
      `XDG_CONFIG_HOME=${join(this.root, 'config')}`,
      `XDG_DATA_HOME=${join(this.root, 'data')}`,
    ];
  }

  private onMonitor<T extends QueryResultRow = QueryResultRow>(sql: string, params: unknown[] = []): Promise<T[]> {
    return query<T>(`postgres://postgres@127.0.0.1:${this.monitor.port}/pg_auto_failover`, sql, params);
  }

  private async onPrimary(sql: string): Promise<void> {
    await query(`postgres://postgres@127.0.0.1:${(await this.primary()).port}/postgres`, sql);
  }
}

async function query<T extends QueryResultRow>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

function killGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // The group has no process left.
  }
}

/** SIGKILL to a data directory's postmaster; its backends end when they see it gone. */
function killPostgresOf(dir: string): void {
  try {
    execFileSync('pkill', ['-KILL', '-f', `postgres -D ${dir}( |$)`], { stdio: 'ignore' });
  } catch {
    // No postmaster of it was running.
  }
}
