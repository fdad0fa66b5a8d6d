import { Pool, PoolClient } from 'pg';
import { RecordedEvent } from '@workgate/contracts';
import type { Projection, TableName } from './projection';

/** An event a projection could not fold, set aside with why. */
export interface ParkedEvent {
  projection: string;
  /** The event's ledger position (it names the event). */
  position: number;
  eventType: string;
  error: string;
}

/** The longest error text kept with a parked event. */
const ERROR_CHARS = 1000;

/**
 * Whether an error while folding is the events' own doing (a value the view cannot hold, a
 * constraint it breaks, data the fold cannot read) rather than the database's or the network's:
 * only those are set aside. Anything else (a lost connection, a time-out) pauses the projection
 * and it tries again, so an outage never sets events aside.
 */
export function isUnfoldable(error: unknown): boolean {
  const sqlState = typeof error === 'object' && error !== null && 'code' in error ? error.code : undefined;
  if (typeof sqlState === 'string' && /^[0-9A-Z]{5}$/.test(sqlState))
    return sqlState.startsWith('22') || sqlState.startsWith('23');
  return error instanceof TypeError || error instanceof RangeError || error instanceof SyntaxError;
}

/**
 * Folds a page whose events could not be folded together, inside the caller's transaction:
 * halves that fold are kept, halves that do not are split again (each try under a savepoint),
 * down to the single events that cannot be folded. Those are returned, in position order; every
 * other event is folded, in order. An error that is not the events' own is thrown.
 */
export async function foldSettingAside(
  client: PoolClient,
  p: Projection,
  events: RecordedEvent[],
  table?: TableName,
): Promise<ParkedEvent[]> {
  const parked: ParkedEvent[] = [];
  let savepoints = 0;
  const attempt = async (part: RecordedEvent[]): Promise<void> => {
    const savepoint = `fold_${++savepoints}`;
    await client.query(`SAVEPOINT ${savepoint}`);
    try {
      await p.apply(client, part, table);
      await client.query(`RELEASE SAVEPOINT ${savepoint}`);
    } catch (error) {
      await client.query(`ROLLBACK TO SAVEPOINT ${savepoint}`);
      await client.query(`RELEASE SAVEPOINT ${savepoint}`);
      if (!isUnfoldable(error)) throw error;
      if (part.length === 1) {
        const [e] = part;
        parked.push({
          projection: p.name,
          position: e.position,
          eventType: e.type,
          error: String((error as Error).message ?? error).slice(0, ERROR_CHARS),
        });
        return;
      }
      const half = Math.ceil(part.length / 2);
      await attempt(part.slice(0, half));
      await attempt(part.slice(half));
    }
  };
  await attempt(events);
  return parked;
}

/** Keeps parked events (a later failure of the same event replaces the error). */
export async function recordParked(client: Pick<PoolClient, 'query'>, parked: ParkedEvent[]): Promise<void> {
  if (!parked.length) return;
  await client.query(
    `INSERT INTO projection_parked_events (projection, position, event_type, error)
     SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[])
     ON CONFLICT (projection, position) DO UPDATE SET error = EXCLUDED.error, parked_at = now()`,
    [
      parked.map((e) => e.projection),
      parked.map((e) => e.position),
      parked.map((e) => e.eventType),
      parked.map((e) => e.error),
    ],
  );
}

/** The events set aside, per projection, oldest first. */
export async function listParked(
  pool: Pick<Pool, 'query'>,
  projection?: string,
): Promise<Array<ParkedEvent & { parkedAt: string }>> {
  const { rows } = await pool.query<{
    projection: string;
    position: number;
    event_type: string;
    error: string;
    parked_at: Date;
  }>(
    `SELECT projection, position, event_type, error, parked_at FROM projection_parked_events
      WHERE $1::text IS NULL OR projection = $1 ORDER BY projection, position`,
    [projection ?? null],
  );
  return rows.map((r) => ({
    projection: r.projection,
    position: r.position,
    eventType: r.event_type,
    error: r.error,
    parkedAt: new Date(r.parked_at).toISOString(),
  }));
}
