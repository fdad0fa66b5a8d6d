import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
// The URL helper alone: the shared workgate's teardown loads no service code.
import { withDatabase } from '../../libs/event-store/pg';
import { TEST_PG_URL } from './env';
import { Guard, isBoolean, isString, parsed, shaped } from './guards';

/**
 * A stream a test writes around the services on purpose (an earlier version's events, a tampered
 * row), so the one-writer check leaves it out, and why: named, never skipped silently.
 */
export interface WriterExemption {
  /** The stream's id, or a pattern of ids. */
  stream: string | RegExp;
  why: string;
}

/** An exemption as kept in a file (a shared workgate's teardown runs in another process). */
interface StoredExemption {
  source: string;
  exact: boolean;
  why: string;
}

const isStoredExemption: Guard<StoredExemption> = shaped({ source: isString, exact: isBoolean, why: isString });

/** Where the files of a shared workgate keep the streams they exempted (its temp directory). */
const exemptionsFile = (dir: string) => join(dir, 'writer-exemptions.jsonl');

/** Keeps an exemption in a shared workgate's directory `dir`, for the run's teardown. */
export function keepExemption(dir: string, e: WriterExemption): void {
  const stored: StoredExemption =
    typeof e.stream === 'string'
      ? { source: e.stream, exact: true, why: e.why }
      : { source: e.stream.source, exact: false, why: e.why };
  appendFileSync(exemptionsFile(dir), `${JSON.stringify(stored)}\n`);
}

/** Every exemption the files that ran on a shared workgate kept in its directory `dir`. */
export function exemptionsKeptIn(dir: string): WriterExemption[] {
  const path = exemptionsFile(dir);
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => parsed(line, isStoredExemption, path))
    .map((e) => ({ stream: e.exact ? e.source : new RegExp(e.source), why: e.why }));
}

const exempted = (id: string, exemptions: WriterExemption[]) =>
  exemptions.some((e) => (typeof e.stream === 'string' ? e.stream === id : e.stream.test(id)));

/**
 * docs/ledger.md, Table (metadata.producer): every stream has ONE writer, the service that decides
 * it, named on every event. Reads the whole ledger of the database `name` (before it is dropped)
 * and throws, naming every stream, when a stream holds events of two producers or an event that
 * names none, unless the test that wrote it exempted it.
 */
export async function checkOneWriterPerStream(name: string, exemptions: WriterExemption[]): Promise<void> {
  const c = new Client({ connectionString: withDatabase(TEST_PG_URL, name) });
  await c.connect();
  let rows: Array<{ stream_id: string; producers: Array<string | null> }>;
  try {
    ({ rows } = await c.query<{ stream_id: string; producers: Array<string | null> }>(
      `SELECT stream_id, array_agg(DISTINCT metadata->>'producer') AS producers FROM ledger_events GROUP BY stream_id`,
    ));
  } catch (error) {
    // A database whose migrations never ran (a test that stopped before) holds no ledger.
    if ((error as { code?: string }).code === '42P01') return;
    throw error;
  } finally {
    await c.end();
  }
  const problems = rows
    .filter((r) => (r.producers.length > 1 || r.producers.includes(null)) && !exempted(r.stream_id, exemptions))
    .map((r) => `${r.stream_id}: ${r.producers.map((p) => p ?? '(no producer named)').join(', ')}`)
    .sort();
  if (problems.length > 0)
    throw new Error(
      `streams of the ledger of ${name} without ONE named writer (docs/ledger.md, Table: metadata.producer):\n  ${problems.join('\n  ')}`,
    );
}
