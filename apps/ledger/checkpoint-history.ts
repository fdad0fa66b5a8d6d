import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { JetStreamManager, NatsError } from 'nats';
import { postgresEndpoint } from '@workgate/config';
import { Streams } from '@workgate/contracts';
import { leafHash, LedgerWriter, openNote, parseCheckpoint, treeFrontier } from '@workgate/event-store';
import { LedgerStore } from './ledger-store';

/** What the history check reads: the ledger's rows and tree, and the writer's head. */
export interface HistorySources {
  pool: LedgerStore['pool'];
  writer: Pick<LedgerWriter, 'refusing' | 'currentHead' | 'settled'>;
}

/** A checkpoint this ledger signed. */
export interface SignedTree {
  size: number;
  root: Buffer;
  /** The chain hash at position `size` (the tree's last leaf); null for the empty tree. */
  lastLeaf: string | null;
  note: string;
  signedAt: string;
}

/**
 * Why the tree of `size` with `root` is not a continuation of the last checkpoint signed, or
 * undefined: the ledger still holds that checkpoint's last leaf, the stored tree still gives its
 * root, the leaves written since lead from it to the writer's root, and no row stands past what the
 * writer wrote.
 */
export async function historyProblem(
  store: HistorySources,
  last: SignedTree | undefined,
  size: number,
  root: Buffer,
): Promise<string | undefined> {
  if (store.writer.refusing) return store.writer.refusing;
  const from = last?.size ?? 0;
  const lost = lostTail(size, from);
  if (lost) return lost;
  const { rows } = await store.pool.query<{ position: number; hash: string; prev_hash: string }>(
    'SELECT position, hash, prev_hash FROM ledger_events WHERE position >= $1 ORDER BY position',
    [Math.max(from, 1)],
  );
  let at = 0;
  if (last && from > 0) {
    if (rows[0]?.position !== from)
      return `position ${from}, the last leaf of the last checkpoint signed, is gone: the ledger was truncated`;
    if (rows[0].hash !== last.lastLeaf)
      return `position ${from} no longer has the hash the last checkpoint signed: the history was rewritten`;
    at = 1;
  }
  const frontier = await treeFrontier(store.pool, from).catch(() => undefined);
  if (!frontier || (last && !frontier.root().equals(last.root)))
    return `the stored tree no longer gives the root of the last checkpoint signed (${from} leaves)`;
  let prev = last?.lastLeaf ?? rows[0]?.prev_hash;
  for (; at < rows.length && rows[at].position <= size; at++) {
    const r = rows[at];
    if (r.position !== frontier.leaves + 1) return `position ${frontier.leaves + 1} is missing`;
    if (prev !== undefined && r.prev_hash !== prev)
      return `position ${r.position} does not carry its predecessor's hash`;
    frontier.append(leafHash(r.hash));
    prev = r.hash;
  }
  if (frontier.leaves !== size || !frontier.root().equals(root))
    return `the events since the last checkpoint do not give the writer's tree: rows were rewritten`;
  const beyond = await rowBeyondWriter(store, rows.slice(at));
  if (beyond) return `the ledger holds position ${beyond}, which the writer did not write`;
  // The commit it waited for may have met that row (a unique violation) and made the writer refuse.
  return store.writer.refusing;
}

/**
 * Why a tree of `size` leaves cannot continue the last checkpoint signed, over `signed` leaves, or
 * undefined: the positions past `size` that checkpoint covers are gone (docs/operations.md, Running a fleet).
 */
export function lostTail(size: number, signed: number): string | undefined {
  if (size >= signed) return undefined;
  const gone = size + 1 === signed ? `position ${signed} is` : `positions ${size + 1} to ${signed} are`;
  return `the tree has ${size} leaves, fewer than the ${signed} of the last checkpoint signed: ${gone} gone (the ledger was truncated, or is a standby's copy promoted without them)`;
}

/**
 * The first of `rows` past what the writer wrote. A group commit is visible in Postgres a moment
 * before its writer takes its answer and moves its head: such a row is the writer's own once the
 * commit in flight settles, and only a row still past the head then was written around it.
 */
async function rowBeyondWriter(
  store: Pick<HistorySources, 'writer'>,
  rows: Array<{ position: number }>,
): Promise<number | undefined> {
  const last = rows.at(-1)?.position;
  if (last === undefined || last <= store.writer.currentHead().position) return undefined;
  await store.writer.settled();
  const written = store.writer.currentHead().position;
  return rows.find((r) => r.position > written)?.position;
}

/** A line of the checkpoints file, when it holds one (a torn last line does not). */
export function keptCheckpoint(line: string): Omit<SignedTree, 'root'> | undefined {
  const kept: unknown = JSON.parse(line);
  if (typeof kept !== 'object' || kept === null) return undefined;
  if (!('size' in kept && 'lastLeaf' in kept && 'note' in kept && 'signedAt' in kept)) return undefined;
  const { size, lastLeaf, note, signedAt } = kept;
  if (typeof size !== 'number' || typeof note !== 'string' || typeof signedAt !== 'string') return undefined;
  if (lastLeaf !== null && typeof lastLeaf !== 'string') return undefined;
  return { size, lastLeaf, note, signedAt };
}

/** A refusal kept in its file: whatever the file holds, its presence refuses. */
export function keptRefusal(text: string): { reason: string; since: string } {
  const kept: unknown = JSON.parse(text);
  if (typeof kept === 'object' && kept !== null && 'reason' in kept && 'since' in kept)
    return { reason: String(kept.reason), since: String(kept.since) };
  return { reason: `the refusal kept in its file cannot be read: ${text}`, since: new Date().toISOString() };
}

/** Where a data directory keeps what the ledger of `databaseUrl` signed (docs/ledger.md, The Merkle tree and signed checkpoints). */
export function checkpointFiles(dataDir: string, databaseUrl: string) {
  // One ledger's files: a data directory may serve ledgers in several databases.
  const ledger = createHash('sha256').update(postgresEndpoint(databaseUrl)).digest('hex').slice(0, 12);
  return {
    checkpoints: join(dataDir, `ledger-${ledger}-checkpoints.jsonl`),
    refusal: join(dataDir, `ledger-${ledger}-checkpoints-refused.json`),
    /** Present once this data directory's writer has signed commits of the ledger: no unsigned tail is adopted again. */
    commitsSigned: join(dataDir, `ledger-${ledger}-commits-signed`),
  };
}

/** The last checkpoint in the checkpoints file that `verifierKey` signed, for the size the line says. */
export function lastKeptCheckpoint(file: string, verifierKey: string): SignedTree | undefined {
  if (!existsSync(file)) return undefined;
  const lines = readFileSync(file, 'utf8').trim().split('\n').filter(Boolean);
  for (const line of lines.reverse()) {
    try {
      const kept = keptCheckpoint(line);
      const opened = kept && openNote(kept.note, verifierKey);
      const checkpoint = opened?.ok ? parseCheckpoint(opened.text) : undefined;
      if (kept && checkpoint && checkpoint.size === kept.size) return { ...kept, root: checkpoint.root };
    } catch {
      // a torn last line: the one before it
    }
  }
  return undefined;
}

/** JetStream's error code for a stream that does not exist. */
const STREAM_NOT_FOUND = 10059;

/**
 * The last checkpoint published on JetStream CHECKPOINTS when this key signed it, with the chain
 * hash the ledger holds at its size (null when that position is gone). It outlives a database that
 * lost its tail and a data directory that never held it (another ledger instance of the fleet).
 */
export async function lastPublishedCheckpoint(
  jsm: JetStreamManager,
  verifierKey: string,
  pool: HistorySources['pool'],
): Promise<SignedTree | undefined> {
  const info = await jsm.streams.info(Streams.checkpoints.name).catch((error: unknown) => {
    // A NATS without the stream holds no copy; any other failure leaves the writer waiting for the lock again.
    if (error instanceof NatsError && error.api_error?.err_code === STREAM_NOT_FOUND) return undefined;
    throw error;
  });
  if (!info || info.state.messages === 0) return undefined;
  const message = await jsm.streams.getMessage(Streams.checkpoints.name, { seq: info.state.last_seq });
  const note = message.string();
  const opened = openNote(note, verifierKey);
  const checkpoint = opened.ok ? parseCheckpoint(opened.text) : undefined;
  if (!checkpoint) return undefined;
  const { rows } = await pool.query<{ hash: string }>('SELECT hash FROM ledger_events WHERE position = $1', [
    checkpoint.size,
  ]);
  const { size, root } = checkpoint;
  return { size, root, lastLeaf: rows[0]?.hash ?? null, note, signedAt: message.time.toISOString() };
}
