import { Client } from 'pg';
import { tilesInsert, tilesValues } from './ledger-tree';
import { TileRow } from './tiles';

/** The rows of one group commit, column by column, in position order. */
export interface LedgerRows {
  positions: number[];
  streamIds: string[];
  versions: number[];
  eventIds: string[];
  types: string[];
  /** Canonical JSON texts. */
  data: string[];
  metadata: string[];
  occurredAt: string[];
  recordedAt: string[];
  prevHashes: string[];
  hashes: string[];
}

export function emptyLedgerRows(): LedgerRows {
  return {
    positions: [],
    streamIds: [],
    versions: [],
    eventIds: [],
    types: [],
    data: [],
    metadata: [],
    occurredAt: [],
    recordedAt: [],
    prevHashes: [],
    hashes: [],
  };
}

/** One row of a group commit (data and metadata as canonical JSON text). */
export interface LedgerRow {
  position: number;
  streamId: string;
  version: number;
  eventId: string;
  type: string;
  data: string;
  metadata: string;
  occurredAt: string;
  recordedAt: string;
  prevHash: string;
  hash: string;
}

/** Adds one row to the columns of a group commit, after the ones already there. */
export function addLedgerRow(rows: LedgerRows, r: LedgerRow): void {
  rows.positions.push(r.position);
  rows.streamIds.push(r.streamId);
  rows.versions.push(r.version);
  rows.eventIds.push(r.eventId);
  rows.types.push(r.type);
  rows.data.push(r.data);
  rows.metadata.push(r.metadata);
  rows.occurredAt.push(r.occurredAt);
  rows.recordedAt.push(r.recordedAt);
  rows.prevHashes.push(r.prevHash);
  rows.hashes.push(r.hash);
}

/**
 * Postgres array literals written in one join, not element by element by the driver. Only for
 * values that never need escaping: stream ids, event types, UUIDs, ISO times and hex hashes
 * (checked by prepareAppend or made by the writer) hold no quote, backslash, comma, brace or
 * space. Every element is quoted, so a stream named NULL stays text.
 */
const textArray = (values: string[]) => `{"${values.join('","')}"}`;
const numberArray = (values: number[]) => `{${values.join(',')}}`;

/**
 * Writes the rows in ONE statement (all or nothing) into `table` (ledger_events, or a copy with
 * the same columns; a fixed name, never input). data and metadata travel as one JSON array text each ("[d1,d2,...]", joined
 * from the canonical texts: no escaping in Node) and are split by Postgres's own JSON parser in
 * one pass, each element kept as the text it was (the columns are `json`); ROWS FROM zips them
 * with the other columns row by row.
 */
export async function insertLedgerRows(
  client: Client,
  rows: LedgerRows,
  table = 'ledger_events',
  tiles: TileRow[] = [],
  signature?: Buffer,
): Promise<void> {
  // Tiles of the Merkle tree (grown by earlier rows) and the commit's signature go in the same statement (one commit, all or nothing).
  const withTiles = tiles.length > 0;
  const sig = withTiles ? 16 : 12;
  const ctes = [
    ...(withTiles ? [`tiles AS (${tilesInsert(12)})`] : []),
    ...(signature
      ? [
          `sig AS (INSERT INTO ledger_commit_signatures (position, signature) VALUES ($${sig}::bigint, $${sig + 1}::bytea))`,
        ]
      : []),
  ];
  await client.query({
    // Named: each connection parses and plans the statement once, not on every commit.
    name: `insert-${table}${withTiles ? '-with-tiles' : ''}${signature ? '-signed' : ''}`,
    text: `${ctes.length ? `WITH ${ctes.join(', ')} ` : ''}INSERT INTO ${table}
       (position, stream_id, stream_version, event_id, type, data, metadata, occurred_at, recorded_at, prev_hash, hash)
     SELECT p, s, v, e, t, d, m, o, r, ph, h
       FROM ROWS FROM (unnest($1::bigint[]), unnest($2::text[]), unnest($3::int[]), unnest($4::uuid[]), unnest($5::text[]),
                       json_array_elements($6::json), json_array_elements($7::json),
                       unnest($8::timestamptz[]), unnest($9::timestamptz[]), unnest($10::text[]), unnest($11::text[]))
         AS u(p, s, v, e, t, d, m, o, r, ph, h)`,
    values: [
      numberArray(rows.positions),
      textArray(rows.streamIds),
      numberArray(rows.versions),
      textArray(rows.eventIds),
      textArray(rows.types),
      `[${rows.data.join(',')}]`,
      `[${rows.metadata.join(',')}]`,
      textArray(rows.occurredAt),
      textArray(rows.recordedAt),
      textArray(rows.prevHashes),
      textArray(rows.hashes),
      ...(withTiles ? tilesValues(tiles) : []),
      ...(signature ? [rows.positions[rows.positions.length - 1], signature] : []),
    ],
  });
}

/** Whether Postgres refused a statement for a duplicate key (SQLSTATE 23505: an event id or a stream version recorded already). */
export function isUniqueViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'code' in error && error.code === '23505';
}
