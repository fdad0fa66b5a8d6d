import { Pool } from 'pg';
import { isUuid, LedgerHead, ReadAllResult, ReadStreamResult, RecordedEvent } from '@workgate/contracts';
import { GENESIS_HASH } from './hash';
import { INDEXED_TYPES } from './migrations';

const COLUMNS = `position, stream_id, stream_version, event_id::text AS event_id, type, data, metadata,
  occurred_at, recorded_at, prev_hash, hash`;

export const MAX_READ = 10_000;

interface Row {
  position: number;
  stream_id: string;
  stream_version: number;
  event_id: string;
  type: string;
  data: Record<string, unknown>;
  metadata: Record<string, unknown>;
  occurred_at: Date;
  recorded_at: Date;
  prev_hash: string;
  hash: string;
}

export function toRecordedEvent(r: Row): RecordedEvent {
  return {
    position: r.position,
    streamId: r.stream_id,
    streamVersion: r.stream_version,
    eventId: r.event_id,
    type: r.type,
    data: r.data,
    metadata: r.metadata,
    occurredAt: r.occurred_at.toISOString(),
    recordedAt: r.recorded_at.toISOString(),
    prevHash: r.prev_hash,
    hash: r.hash,
  };
}

function clampLimit(limit: number | undefined, fallback: number): number {
  if (limit === undefined || !Number.isFinite(limit)) return fallback;
  return Math.max(1, Math.min(MAX_READ, Math.floor(limit)));
}

/** Read side of the ledger: any instance may serve it (the writer is not needed). */
export class LedgerReader {
  constructor(private readonly pool: Pool) {}

  async readStream(streamId: string, fromVersion = 1, limit?: number): Promise<ReadStreamResult> {
    const { rows } = await this.pool.query<Row>(
      `SELECT ${COLUMNS} FROM ledger_events WHERE stream_id = $1 AND stream_version >= $2
        ORDER BY stream_version LIMIT $3`,
      [streamId, Math.max(1, fromVersion), clampLimit(limit, MAX_READ)],
    );
    const events = rows.map(toRecordedEvent);
    let version = events.length ? events[events.length - 1].streamVersion : 0;
    if (!events.length) {
      const v = await this.pool.query('SELECT max(stream_version) AS v FROM ledger_events WHERE stream_id = $1', [streamId]);
      version = v.rows[0].v ?? 0;
    }
    return { streamId, version, events };
  }

  async readAll(after = 0, limit?: number): Promise<ReadAllResult> {
    const { rows } = await this.pool.query<Row>(
      `SELECT ${COLUMNS} FROM ledger_events WHERE position > $1 ORDER BY position LIMIT $2`,
      [Math.max(0, after), clampLimit(limit, 1000)],
    );
    const events = rows.map(toRecordedEvent);
    return { events, next: events.length ? events[events.length - 1].position : after };
  }

  /**
   * Events of the given types after a position (or newest first below `before`), optionally with
   * occurredAt in [from, to). Only the indexed rare types are found through their index (the
   * type list is inlined so the partial index applies; the names are checked against that set);
   * other types are found by walking positions.
   */
  async query(
    types: string[],
    options: { after?: number; before?: number; descending?: boolean; limit?: number; from?: string; to?: string } = {},
  ): Promise<ReadAllResult> {
    const after = Math.max(0, options.after ?? 0);
    const indexed = types.length > 0 && types.every((t) => INDEXED_TYPES.has(t));
    const typeFilter = indexed ? `type IN (${types.map((t) => `'${t}'`).join(', ')})` : 'type = ANY($1::text[])';
    const { rows } = await this.pool.query<Row>(
      `SELECT ${COLUMNS} FROM ledger_events
        WHERE ${typeFilter} AND ($1::text[] IS NOT NULL) AND position > $2 AND ($6::bigint IS NULL OR position < $6)
          AND ($3::timestamptz IS NULL OR occurred_at >= $3) AND ($4::timestamptz IS NULL OR occurred_at < $4)
        ORDER BY position ${options.descending ? 'DESC' : 'ASC'} LIMIT $5`,
      [types, after, options.from ?? null, options.to ?? null, clampLimit(options.limit, 1000), options.before ?? null],
    );
    const events = rows.map(toRecordedEvent);
    return { events, next: events.length ? events[events.length - 1].position : after };
  }

  /**
   * For projections: the events of the given types in the window (after, after + window] (their
   * position, stream, type, data and times; nothing else), and the position up to
   * which the window was read: never beyond what is committed, so a reader that moves to `next`
   * skips nothing (positions are gap-free and committed in order by the single writer). With
   * `until`, never beyond that position either.
   */
  async scan(types: string[], after: number, window = 20_000, until?: number): Promise<ReadAllResult> {
    // The head is read first: every position up to it is committed and stays visible.
    const upto = Math.min(after + window, until ?? Infinity, (await this.head()).position);
    if (upto <= after) return { events: [], next: after };
    // Projections read only what they fold: no metadata, ids or hashes (they are left empty).
    const { rows } = await this.pool.query<Row>(
      `SELECT position, stream_id, type, data, occurred_at, recorded_at FROM ledger_events
        WHERE position > $1 AND position <= $2 AND type = ANY($3::text[]) ORDER BY position`,
      [after, upto, types],
    );
    return {
      events: rows.map((r) => ({ position: r.position, streamId: r.stream_id, streamVersion: 0, eventId: '', type: r.type, data: r.data, metadata: {}, occurredAt: r.occurred_at.toISOString(), recordedAt: r.recorded_at.toISOString(), prevHash: '', hash: '' })),
      next: upto,
    };
  }

  async getEvent(eventId: string): Promise<RecordedEvent | undefined> {
    if (!isUuid(eventId)) return undefined;
    const { rows } = await this.pool.query<Row>(`SELECT ${COLUMNS} FROM ledger_events WHERE event_id = $1`, [eventId]);
    return rows.length ? toRecordedEvent(rows[0]) : undefined;
  }

  async head(): Promise<LedgerHead> {
    const { rows } = await this.pool.query('SELECT position, hash FROM ledger_events ORDER BY position DESC LIMIT 1');
    return rows.length ? { position: rows[0].position, hash: rows[0].hash } : { position: 0, hash: GENESIS_HASH };
  }
}
