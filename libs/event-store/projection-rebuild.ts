import { Pool } from 'pg';
import { RecordedEvent } from '@workgate/contracts';
import { LedgerReader } from './ledger-reader';
import { foldSettingAside, isUnfoldable, ParkedEvent, recordParked } from './parked-events';
import { inTransaction } from './pg';
import { Projection, TableName } from './projection';

export interface RebuildOptions {
  window?: number;
  /** Compare the rebuilt tables with the live ones, row by row, before swapping (default true). */
  compare?: boolean;
  /** Swap the rebuilt tables in (default true); false leaves them as `<table>_rebuild` for inspection. */
  swap?: boolean;
  /** The roles granted the rebuilt tables: the projections' (to write them) and those that read them. */
  roles?: { views?: string; readers?: string[] };
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
  /** Events that still cannot be folded: set aside again (every other parked event is folded now). */
  parked: ParkedEvent[];
}

const REBUILD_SUFFIX = '_rebuild';
const rebuilt: TableName = (t) => `${t}${REBUILD_SUFFIX}`;
const live: TableName = (t) => t;

interface IndexDef {
  name: string;
  /** `CREATE [UNIQUE] INDEX <name> ON <schema>.<table> USING ...`, as Postgres prints it. */
  def: string;
  /** The constraint the index backs: primary key or unique. */
  constraint?: 'p' | 'u';
}

async function indexesOf(pool: Pool, table: string): Promise<IndexDef[]> {
  const { rows } = await pool.query<{ name: string; def: string; constraint: 'p' | 'u' | null }>(
    `SELECT i.indexname AS name, i.indexdef AS def, c.contype AS constraint
       FROM pg_indexes i LEFT JOIN pg_constraint c ON c.conname = i.indexname AND c.conrelid = $1::text::regclass
      WHERE i.schemaname = current_schema() AND i.tablename = $1::text ORDER BY i.indexname`,
    [table],
  );
  return rows.map((r) => ({ name: r.name, def: r.def, constraint: r.constraint ?? undefined }));
}

/**
 * The indexes a fresh table has while it fills: its primary key (upserts need it) and every unique
 * one, so a fold that breaks uniqueness fails there and is set aside, as live; the others are
 * built once it is full.
 */
const filledWith = (i: IndexDef) => i.constraint === 'p' || i.constraint === 'u' || /^CREATE UNIQUE INDEX/.test(i.def);

/** The same index, named `<name>_rebuild`, on `<table>_rebuild`. */
function onRebuilt(i: IndexDef, table: string): string {
  const m = /^CREATE (UNIQUE )?INDEX (\S+) ON (\S+) (USING .*)$/.exec(i.def);
  if (!m) throw new Error(`cannot read the definition of index ${i.name}: ${i.def}`);
  return `CREATE ${m[1] ?? ''}INDEX ${rebuilt(i.name)} ON ${rebuilt(table)} ${m[4]}`;
}

/**
 * Rebuilds a projection from position 0 into fresh tables and swaps them in. Most of the replay
 * runs beside the live projection (into tables with only their primary key; the other indexes are
 * built when it is done); the last stretch runs under the projection's checkpoint lock,
 * where both the live and the rebuilt tables are brought to the same position, compared row by
 * row, and renamed in one transaction. Renaming needs the tables' owner: run it with the
 * migrating connection (`npm run views:rebuild`), not the application's role.
 */
export async function rebuildProjection(
  pool: Pool,
  p: Projection,
  options: RebuildOptions = {},
): Promise<RebuildResult> {
  const reader = new LedgerReader(pool);
  const window = options.window ?? 20_000;
  // Fresh tables with only their primary key's and unique indexes while they fill; the other
  // indexes are built once at the end, which is much cheaper than keeping them up to date.
  const indexes = new Map<string, IndexDef[]>();
  for (const t of p.tables) {
    indexes.set(t, await indexesOf(pool, t));
    await pool.query(`DROP TABLE IF EXISTS ${rebuilt(t)}`);
    await pool.query(`CREATE TABLE ${rebuilt(t)} (LIKE ${t} INCLUDING DEFAULTS)`);
    for (const i of indexes.get(t)!.filter(filledWith)) await pool.query(onRebuilt(i, t));
    if (options.roles?.views)
      await pool.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ${rebuilt(t)} TO ${options.roles.views}`);
    for (const reader of options.roles?.readers ?? []) await pool.query(`GRANT SELECT ON ${rebuilt(t)} TO ${reader}`);
  }

  /** Applies pages of the projection's events in (from, until] through `apply`; answers where it stopped. */
  const replay = async (from: number, until: number | undefined, apply: (events: RecordedEvent[]) => Promise<void>) => {
    let at = from;
    let applied = 0;
    const scan = (after: number) => {
      const page = reader.scan(p.types, after, window, until);
      page.catch(() => undefined); // awaited below (or abandoned with the error that stops the replay)
      return page;
    };
    let pending = scan(at);
    for (;;) {
      const page = await pending;
      if (page.next === at) return { next: at, applied };
      pending = scan(page.next); // read the next page while this one is applied
      if (page.events.length) await apply(page.events);
      applied += page.events.length;
      at = page.next;
      options.onProgress?.(at, until ?? at);
    }
  };

  // Events that cannot be folded are set aside, as the live projection does; every event parked
  // before is folded again here.
  const parked: ParkedEvent[] = [];
  const fold = async (page: RecordedEvent[]) => {
    try {
      await inTransaction(pool, (c) => p.apply(c, page, rebuilt));
    } catch (error) {
      if (!isUnfoldable(error)) throw error;
      await inTransaction(pool, async (c) => parked.push(...(await foldSettingAside(c, p, page, rebuilt))));
    }
  };

  // Beside the live projection, up to the head as it moves.
  const first = await replay(0, undefined, fold);
  const position = first.next;
  let events = first.applied;
  for (const t of p.tables)
    for (const i of indexes.get(t)!.filter((x) => !filledWith(x))) await pool.query(onRebuilt(i, t));

  return inTransaction(pool, async (client) => {
    await client.query(
      `INSERT INTO projection_checkpoints (name, position) VALUES ($1, 0) ON CONFLICT (name) DO NOTHING`,
      [p.name],
    );
    const { rows } = await client.query<{ position: number }>(
      'SELECT position FROM projection_checkpoints WHERE name = $1 FOR UPDATE',
      [p.name],
    );
    const livePosition = rows[0].position;
    // The live runner waits on the lock; bring both sides to the same position.
    const target = Math.max(livePosition, position);
    const tail: ParkedEvent[] = [];
    events += (
      await replay(
        position,
        target,
        async (page) => void parked.push(...(await foldSettingAside(client, p, page, rebuilt))),
      )
    ).applied;
    await replay(
      livePosition,
      target,
      async (page) => void tail.push(...(await foldSettingAside(client, p, page, live))),
    );

    const differences: Record<string, number> = {};
    if (options.compare !== false) {
      for (const t of p.tables) {
        const diff = await client.query<{ n: string }>(
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
        // The indexes and constraints take the old names back.
        for (const i of indexes.get(t)!) {
          if (i.constraint === 'p')
            await client.query(`ALTER TABLE ${t} ADD CONSTRAINT ${i.name} PRIMARY KEY USING INDEX ${rebuilt(i.name)}`);
          else if (i.constraint === 'u')
            await client.query(`ALTER TABLE ${t} ADD CONSTRAINT ${i.name} UNIQUE USING INDEX ${rebuilt(i.name)}`);
          else await client.query(`ALTER INDEX ${rebuilt(i.name)} RENAME TO ${i.name}`);
        }
      }
    }
    if (swap) {
      // What the swapped-in tables could not fold, and nothing else, is parked now.
      await client.query('DELETE FROM projection_parked_events WHERE projection = $1', [p.name]);
      await recordParked(client, parked);
    } else {
      await recordParked(client, tail);
    }
    await client.query('UPDATE projection_checkpoints SET position = $2, updated_at = now() WHERE name = $1', [
      p.name,
      target,
    ]);
    return { projection: p.name, position: target, events, differences, swapped: swap, parked };
  });
}
