import { Pool } from 'pg';
import {
  isUuid,
  LedgerHead,
  ReadAllResult,
  ReadStreamRequest,
  ReadStreamResult,
  RecordedEvent,
  WorkgateError,
} from '@workgate/contracts';
import { canonicalEventJson, chainHash, GENESIS_HASH } from './hash';
import { INDEXED_TYPES } from './migrations';
import { isStreamId } from './validate';
import { readHead } from './writer-admission';

const COLUMNS = `position, stream_id, stream_version, event_id::text AS event_id, type, data, metadata,
  occurred_at, recorded_at, prev_hash, hash`;

export const MAX_READ = 10_000;
/** Streams one query reads at most (a burst of more goes in several). */
const MAX_STREAMS_PER_QUERY = 500;
/** Stream versions are Postgres integers. */
const MAX_VERSION = 2 ** 31 - 1;

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

/** Where a reader stops: the signed frontier (docs/ledger.md, "Readers act only on signed rows"). */
export type ReadLimit = () => number | Promise<number>;

/**
 * Read side of the ledger: any instance may serve it (the writer is not needed). With `signedUpTo`,
 * nothing past the position it answers is ever read: a row no writer signed is not served, folded
 * or relayed. Without it (verify, tools) every row is read.
 */
export class LedgerReader {
  constructor(
    private readonly pool: Pool,
    private readonly signedUpTo?: ReadLimit,
  ) {}

  /** The last position this reader reads. */
  private async upTo(): Promise<number> {
    return this.signedUpTo ? this.signedUpTo() : Number.MAX_SAFE_INTEGER;
  }

  /** Reads asked for in this turn of the event loop, answered together by one query. */
  private pendingReads: Array<{
    request: Required<ReadStreamRequest>;
    resolve: (r: ReadStreamResult) => void;
    reject: (e: Error) => void;
  }> = [];

  /**
   * The events of a stream from a version on (at most `limit`), and `version`, the stream's
   * current version (0: no such stream). The reads asked for in one turn of the event loop are
   * answered by ONE query, so a burst of readers (intake loading the work orders of a batch)
   * costs one round trip to Postgres, not one each.
   */
  readStream(streamId: string, fromVersion = 1, limit?: number): Promise<ReadStreamResult> {
    // No stream is ever named so: answered here, so that it cannot fail the query of the others.
    if (!isStreamId(streamId)) return Promise.resolve({ streamId, version: 0, events: [] });
    return new Promise((resolve, reject) => {
      this.pendingReads.push({
        request: {
          streamId,
          fromVersion: Math.min(MAX_VERSION, Math.max(1, Math.floor(fromVersion) || 1)),
          limit: clampLimit(limit, MAX_READ),
        },
        resolve,
        reject,
      });
      if (this.pendingReads.length === 1) process.nextTick(() => this.readPending());
    });
  }

  private readPending(): void {
    const reads = this.pendingReads;
    this.pendingReads = [];
    for (let i = 0; i < reads.length; i += MAX_STREAMS_PER_QUERY) {
      const some = reads.slice(i, i + MAX_STREAMS_PER_QUERY);
      this.readStreams(some.map((r) => r.request)).then(
        (results) => some.forEach((r, k) => r.resolve(results[k])),
        (error: Error) => some.forEach((r) => r.reject(error)),
      );
    }
  }

  /** Several streams in one query: each stream's events from its version on, and its current version. */
  private async readStreams(requests: Array<Required<ReadStreamRequest>>): Promise<ReadStreamResult[]> {
    const upTo = await this.upTo();
    const { rows } = await this.pool.query<Row & { i: string; current: number | null }>(
      `SELECT r.i, m.current, e.*
         FROM unnest($1::text[], $2::int[], $3::int[]) WITH ORDINALITY AS r(stream_id, from_version, lim, i)
         CROSS JOIN LATERAL (
           SELECT max(stream_version) AS current FROM ledger_events WHERE stream_id = r.stream_id AND position <= $4) m
         LEFT JOIN LATERAL (
           SELECT ${COLUMNS} FROM ledger_events
            WHERE stream_id = r.stream_id AND stream_version >= r.from_version AND position <= $4
            ORDER BY stream_version LIMIT r.lim) e ON true
        ORDER BY r.i, e.stream_version`,
      [requests.map((r) => r.streamId), requests.map((r) => r.fromVersion), requests.map((r) => r.limit), upTo],
    );
    const results: ReadStreamResult[] = requests.map((r) => ({ streamId: r.streamId, version: 0, events: [] }));
    for (const row of rows) {
      const result = results[Number(row.i) - 1];
      result.version = row.current ?? 0;
      if (row.position !== null) result.events.push(toRecordedEvent(row));
    }
    return results;
  }

  async readAll(after = 0, limit?: number): Promise<ReadAllResult> {
    const { rows } = await this.pool.query<Row>(
      `SELECT ${COLUMNS} FROM ledger_events WHERE position > $1 AND position <= $3 ORDER BY position LIMIT $2`,
      [Math.max(0, after), clampLimit(limit, 1000), await this.upTo()],
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
          AND position <= $7
        ORDER BY position ${options.descending ? 'DESC' : 'ASC'} LIMIT $5`,
      [
        types,
        after,
        options.from ?? null,
        options.to ?? null,
        clampLimit(options.limit, 1000),
        options.before ?? null,
        await this.upTo(),
      ],
    );
    const events = rows.map(toRecordedEvent);
    return { events, next: events.length ? events[events.length - 1].position : after };
  }

  /**
   * For projections: the events of the given types in the window (after, after + window] (their
   * position, stream, type, data and times; nothing else), and the position up to
   * which the window was read: never beyond what is committed (nor beyond the signed frontier), so
   * a reader that moves to `next` skips nothing (positions are gap-free and committed in order by
   * the single writer). With `until`, never beyond that position either.
   */
  async scan(types: string[], after: number, window = 20_000, until?: number): Promise<ReadAllResult> {
    // The head is read first: every position up to it is committed and stays visible.
    const last = this.signedUpTo ? await this.signedUpTo() : (await this.head()).position;
    const upto = Math.min(after + window, until ?? Infinity, last);
    if (upto <= after) return { events: [], next: after };
    // Projections read only what they fold: no metadata, ids or hashes (they are left empty).
    const { rows } = await this.pool.query<Row>(
      `SELECT position, stream_id, type, data, occurred_at, recorded_at FROM ledger_events
        WHERE position > $1 AND position <= $2 AND type = ANY($3::text[]) ORDER BY position`,
      [after, upto, types],
    );
    return {
      events: rows.map((r) => ({
        position: r.position,
        streamId: r.stream_id,
        streamVersion: 0,
        eventId: '',
        type: r.type,
        data: r.data,
        metadata: {},
        occurredAt: r.occurred_at.toISOString(),
        recordedAt: r.recorded_at.toISOString(),
        prevHash: '',
        hash: '',
      })),
      next: upto,
    };
  }

  /**
   * One event by its id. A row whose content does not hash to its chain hash (altered behind the
   * append-only triggers) is refused (`unavailable`, naming its position), never served.
   */
  async getEvent(eventId: string): Promise<RecordedEvent | undefined> {
    if (!isUuid(eventId)) return undefined;
    const { rows } = await this.pool.query<Row>(
      `SELECT ${COLUMNS} FROM ledger_events WHERE event_id = $1 AND position <= $2`,
      [eventId, await this.upTo()],
    );
    if (!rows.length) return undefined;
    const event = toRecordedEvent(rows[0]);
    if (chainHash(event.prevHash, canonicalEventJson(event)) !== event.hash)
      throw new WorkgateError(
        'unavailable',
        `the ledger event at position ${event.position} does not match its hash: its content was altered, so it is not served`,
      );
    return event;
  }

  async head(): Promise<LedgerHead> {
    return readHead(this.pool);
  }

  /**
   * The head this reader serves: the last row up to the signed frontier (the raw `head` may stand
   * past it, on a row no writer signed; health reads that one to report it).
   */
  async signedHead(): Promise<LedgerHead> {
    if (!this.signedUpTo) return this.head();
    const { rows } = await this.pool.query<{ position: number; hash: string }>(
      'SELECT position, hash FROM ledger_events WHERE position <= $1 ORDER BY position DESC LIMIT 1',
      [await this.signedUpTo()],
    );
    return rows.length ? { position: rows[0].position, hash: rows[0].hash } : { position: 0, hash: GENESIS_HASH };
  }
}
