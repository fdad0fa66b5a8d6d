import { Pool, PoolClient } from 'pg';
import { RecordedEvent } from '@workgate/contracts';
import { LedgerReader } from './ledger-reader';
import { Projection, TableName } from './projection-runner';

export interface RebuildOptions {
  window?: number;
  /** Compare the rebuilt tables with the live ones, row by row, before swapping (default true). */
  compare?: boolean;
  /** Swap the rebuilt tables in (default true); false leaves them as `<table>_rebuild` for inspection. */
  swap?: boolean;
  /** The role the application acts as; it is granted the rebuilt tables. */
  appRole?: string;
  onProgress?: (position: number, head: number) => void;
}

export interface RebuildResult {
  projection: string;
  /** Ledger position both the rebuilt and the live tables were brought to. */
  position: number;
  /** Events of the projection's types applied from position 0. */
  events: number;
  /** Per table: rows only in the live table plus rows only in the rebuilt one (0 = equal). */
  differences: Record<string, number>;
  swapped: boolean;
}

const REBUILD_SUFFIX = '_rebuild';
const rebuilt: TableName = (t) => `${t}${REBUILD_SUFFIX}`;
const live: TableName = (t) => t;

async function inTransaction<T>(pool: Pool, work: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

/**
 * Rebuilds a projection from position 0 into fresh tables and swaps them in. Most of the replay
 * runs beside the live projection; the last stretch runs under the projection's checkpoint lock,
 * where both the live and the rebuilt tables are brought to the same position, compared row by
 * row, and renamed in one transaction. Renaming needs the tables' owner: run it with the
 * migrating connection (`npm run views:rebuild`), not the application's role.
 */
export async function rebuildProjection(pool: Pool, p: Projection, options: RebuildOptions = {}): Promise<RebuildResult> {
  const reader = new LedgerReader(pool);
  const window = options.window ?? 20_000;
  for (const t of p.tables) {
    await pool.query(`DROP TABLE IF EXISTS ${rebuilt(t)}`);
    await pool.query(`CREATE TABLE ${rebuilt(t)} (LIKE ${t} INCLUDING ALL)`);
    if (options.appRole) await pool.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ${rebuilt(t)} TO ${options.appRole}`);
  }

  let position = 0;
  let events = 0;
  /** Applies pages of the projection's events in (from, until] through `apply`; answers where it stopped. */
  const replay = async (from: number, until: number | undefined, apply: (events: RecordedEvent[]) => Promise<void>) => {
    let at = from;
    let applied = 0;
    for (;;) {
      const page = await reader.scan(p.types, at, window, until);
      if (page.next === at) return { next: at, applied };
      if (page.events.length) await apply(page.events);
      applied += page.events.length;
      at = page.next;
      options.onProgress?.(at, until ?? at);
    }
  };

  // Beside the live projection, up to the head as it moves.
  const first = await replay(0, undefined, (page) => inTransaction(pool, (c) => p.apply(c, page, rebuilt)));
  position = first.next;
  events = first.applied;

  return inTransaction(pool, async (client) => {
    await client.query(`INSERT INTO projection_checkpoints (name, position) VALUES ($1, 0) ON CONFLICT (name) DO NOTHING`, [p.name]);
    const { rows } = await client.query('SELECT position FROM projection_checkpoints WHERE name = $1 FOR UPDATE', [p.name]);
    const livePosition: number = rows[0].position;
    // The live runner waits on the lock; bring both sides to the same position.
    const target = Math.max(livePosition, position);
    events += (await replay(position, target, (page) => p.apply(client, page, rebuilt))).applied;
    await replay(livePosition, target, (page) => p.apply(client, page, live));

    const differences: Record<string, number> = {};
    if (options.compare !== false) {
      for (const t of p.tables) {
        const diff = await client.query(
          `SELECT (SELECT count(*) FROM (TABLE ${t} EXCEPT ALL TABLE ${rebuilt(t)}) a) + (SELECT count(*) FROM (TABLE ${rebuilt(t)} EXCEPT ALL TABLE ${t}) b) AS n`,
        );
        differences[t] = Number(diff.rows[0].n);
      }
    }
    const swap = options.swap !== false;
    if (swap) {
      for (const t of p.tables) {
        await client.query(`DROP TABLE IF EXISTS ${t}_old`);
        await client.query(`ALTER TABLE ${t} RENAME TO ${t}_old`);
        await client.query(`ALTER TABLE ${rebuilt(t)} RENAME TO ${t}`);
        await client.query(`DROP TABLE ${t}_old`);
      }
    }
    await client.query('UPDATE projection_checkpoints SET position = $2, updated_at = now() WHERE name = $1', [p.name, target]);
    return { projection: p.name, position: target, events, differences, swapped: swap };
  });
}
