import { execFileSync } from 'node:child_process';
import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Pool } from 'pg';
import { createPool, inTransaction } from '../../libs/event-store';
import { eventually } from '../support/processes';
import {
  nodeRole as role,
  onNode,
  PgNode as Node,
  PgPair,
  promoteNode as promote,
  startNode as start,
  startPgPair,
  stopNode as stop,
} from '../support/pg-pair';

/** One write through the pool: the row records the port of the server that took it. */
const write = (pool: Pool, note: string) =>
  inTransaction(pool, async (c) => {
    const { rows } = await c.query<{ port: number }>(
      'INSERT INTO failover_writes (note, port) VALUES ($1, inet_server_port()) RETURNING port',
      [note],
    );
    return rows[0].port;
  });

/**
 * A primary and a streaming standby of it on loopback, and DATABASE_URL listing the standby first
 * (docs/operations.md, Running a fleet): a read-write session goes to the primary; after a
 * switchover no write reaches the old primary, its pooled sessions leave the pool, and the writes
 * go on through the host list.
 */
describe('faults: Postgres failover behind a host list', () => {
  let pair: PgPair;
  let primary: Node;
  let standby: Node;
  let url: string;
  const pools: Pool[] = [];
  const pool = (u: string) => {
    const p = createPool(u, { max: 4 });
    pools.push(p);
    return p;
  };

  beforeAll(async () => {
    pair = await startPgPair('wg-pg-failover-', (p) =>
      onNode(p, 'CREATE TABLE failover_writes (id serial PRIMARY KEY, note text NOT NULL, port int NOT NULL)'),
    );
    ({ primary, standby } = pair);
    expect(await role(standby)).toBe('standby');
    url = `postgres://root@127.0.0.1:${standby.port},127.0.0.1:${primary.port}/postgres?target_session_attrs=read-write&connect_timeout=2`;
  }, 120_000);

  afterAll(async () => {
    await Promise.all(pools.map((p) => p.end().catch(() => undefined)));
    pair?.remove();
  });

  it('with any, takes the first host that answers: the standby, whose read-only answer drops the session', async () => {
    const anyPool = pool(url.replace('read-write', 'any'));
    const error = await write(anyPool, 'to the first host').catch((e: { code?: string }) => e);
    expect(error).toMatchObject({ code: '25006' });
    await eventually(async () => anyPool.totalCount === 0, 5000, 'the read-only session to leave the pool');
  });

  it('with read-write, passes the standby listed first and writes on the primary', async () => {
    const p = pool(url);
    const ports = await Promise.all([1, 2, 3, 4].map((i) => write(p, `before ${i}`)));
    expect(ports).toEqual([primary.port, primary.port, primary.port, primary.port]);
    expect(p.totalCount).toBe(4);
  });

  it('after the primary stops and the standby is promoted, writes go to the new primary only', async () => {
    const p = pool(url);
    await Promise.all([1, 2, 3, 4].map((i) => write(p, `held ${i}`)));
    expect(p.idleCount).toBe(4); // sessions on the primary, idle in the pool
    stop(primary);
    const switched = Date.now();
    promote(standby);
    // The old primary comes back as a standby of the new one.
    writeFileSync(join(primary.dir, 'standby.signal'), '');
    appendFileSync(
      join(primary.dir, 'postgresql.auto.conf'),
      `primary_conninfo = 'host=127.0.0.1 port=${standby.port} user=root'\n`,
    );
    execFileSync('chown', ['postgres', join(primary.dir, 'standby.signal'), join(primary.dir, 'postgresql.auto.conf')]);
    start(primary);
    expect([await role(standby), await role(primary)]).toEqual(['primary', 'standby']);
    const firstWrite = Date.now();
    const port = await write(p, 'after the switch');
    const tookMs = Date.now() - firstWrite;
    expect(port).toBe(standby.port);
    const ports = await Promise.all([1, 2, 3, 4, 5, 6].map((i) => write(p, `after ${i}`)));
    expect(new Set(ports)).toEqual(new Set([standby.port]));
    // Every row written since the switch was written on the new primary.
    const since = await onNode<{ port: number; n: number }>(
      standby,
      "SELECT port, count(*)::int AS n FROM failover_writes WHERE note LIKE 'after%' GROUP BY port",
    );
    expect(since).toEqual([{ port: standby.port, n: 7 }]);
    console.log(
      `faults: failover by stop + promote: the first write after the switch took ${tookMs} ms (${Date.now() - switched} ms since the stop, the restarts included)`,
    );
  });

  it('a fenced primary keeps its sessions open, yet none of them takes a second write', async () => {
    // Now: the standby's node is the primary; fence it read-only with its sessions open, and promote the other.
    const [oldNode, newNode] = [standby, primary];
    const p = pool(url);
    await Promise.all([1, 2, 3, 4].map((i) => write(p, `fenced ${i}`)));
    expect(p.idleCount).toBe(4);
    await onNode(oldNode, 'ALTER SYSTEM SET default_transaction_read_only = on');
    await onNode(oldNode, 'SELECT pg_reload_conf()');
    const { lsn } = (await onNode<{ lsn: string }>(oldNode, 'SELECT pg_current_wal_lsn()::text AS lsn'))[0];
    await eventually(
      async () => (await onNode<{ ok: boolean }>(newNode, `SELECT pg_last_wal_replay_lsn() >= '${lsn}' AS ok`))[0].ok,
      30_000,
      'the standby to replay the fenced primary',
    );
    promote(newNode);
    const before = (await onNode<{ n: number }>(oldNode, 'SELECT count(*)::int AS n FROM failover_writes'))[0].n;
    // The first write meets a pooled session of the fenced node: refused there, and that node's sessions leave the pool.
    const refused = await write(p, 'on a fenced session').catch((e: { code?: string }) => e);
    expect(refused).toMatchObject({ code: '25006' });
    await eventually(async () => p.totalCount === 0, 5000, 'the fenced sessions to leave the pool');
    const started = Date.now();
    const ports = [];
    for (const i of [1, 2, 3, 4, 5]) ports.push(await write(p, `fenced after ${i}`));
    expect(new Set(ports)).toEqual(new Set([newNode.port]));
    expect((await onNode<{ n: number }>(oldNode, 'SELECT count(*)::int AS n FROM failover_writes'))[0].n).toBe(before);
    console.log(
      `faults: fenced primary: one write refused (25006), the next took ${Date.now() - started} ms for 5 writes`,
    );
  });
});
