import { leafHash, LedgerWriter, treeFrontier } from '@workgate/event-store';
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
  if (size < from)
    return `the tree has ${size} leaves, fewer than the ${from} of the last checkpoint signed: the ledger was truncated`;
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
