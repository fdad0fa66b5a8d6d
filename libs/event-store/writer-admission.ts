import { Client, Pool } from 'pg';
import { LedgerHead } from '@workgate/contracts';
import { GENESIS_HASH } from './hash';
import { insertTiles, storedTreeSize, treeTail } from './ledger-tree';
import { TreeTail } from './tiles';

/** Advisory-lock key owned by the one ledger writer. */
export const WRITER_LOCK_KEY = 7243002;

/** What `admit` decided about the ledger a writer found. */
export type WriterAdmission = { ok: true; adopt?: boolean } | { ok: false; reason: string };

/** Takes the writer's lock on this connection if no other holds it; whether it did. */
export async function tryWriterLock(client: Client): Promise<boolean> {
  const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1) AS locked', [
    WRITER_LOCK_KEY,
  ]);
  return rows[0].locked;
}

const HEAD_SQL = 'SELECT position, hash FROM ledger_events ORDER BY position DESC LIMIT 1';

/** The ledger's last position and chain hash (the genesis hash at position 0 when it is empty). */
export async function readHead(db: Pick<Pool, 'query'> | Pick<Client, 'query'>): Promise<LedgerHead> {
  const { rows } = await db.query<{ position: number; hash: string }>(HEAD_SQL);
  return rows.length ? { position: rows[0].position, hash: rows[0].hash } : { position: 0, hash: GENESIS_HASH };
}

/** Whether the ledger's last row is `head` (same position and chain hash): nothing stands past it. */
export async function endsAt(db: Pick<Client, 'query'>, head: LedgerHead): Promise<boolean> {
  const found = await readHead(db);
  return found.position === head.position && found.hash === head.hash;
}

/**
 * What the writer keeps of the tree at `head` (its right edge and unfinished tiles), from the
 * stored tiles; leaves recorded without their tiles (a ledger written before the tree, or a last
 * commit whose tiles were to go with the next one) are hashed in pages, and their tiles stored
 * when `persist`.
 */
export async function loadTreeTail(
  client: Client,
  head: number,
  persist: boolean,
  log?: (message: string) => void,
): Promise<TreeTail> {
  const stored = Math.min(await storedTreeSize(client), head);
  const tree = await treeTail(client, stored);
  for (let after = stored; after < head;) {
    const { rows } = await client.query<{ position: number; hash: string }>(
      'SELECT position, hash FROM ledger_events WHERE position > $1 ORDER BY position LIMIT 10000',
      [after],
    );
    const tiles = tree.append(rows.map((r) => r.hash));
    if (persist) await insertTiles(client, tiles);
    after = rows[rows.length - 1].position;
    if (persist && head - stored > 10_000) log?.(`ledger tree filled to position ${after} of ${head}`);
  }
  return tree;
}

/** Signs the head of a ledger written before commits were signed, so the writer extends a signed ledger. */
export async function adoptHead(client: Client, head: LedgerHead, signature: Buffer): Promise<void> {
  await client.query(
    'INSERT INTO ledger_commit_signatures (position, signature) VALUES ($1, $2) ON CONFLICT (position) DO NOTHING',
    [head.position, signature],
  );
}
