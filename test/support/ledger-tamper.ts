import type { RecordedEvent } from '@workgate/contracts';
import { canonicalEventJson, chainHash, type HashedFields } from '@workgate/event-store';

/** What can run a statement on the ledger's database: a pool or a client taken from one. */
interface Queryable {
  query(text: string, values: unknown[]): Promise<unknown>;
}

/**
 * Writes `forged` straight into the ledger after the event whose hash is `prevHash`, as its owner
 * (a superuser) can, around the writer: the row chains on, so the hash chain alone does not show
 * it. Returns the row's hash.
 */
export async function insertChainedRow(db: Queryable, prevHash: string, forged: HashedFields): Promise<string> {
  const hash = chainHash(prevHash, canonicalEventJson(forged));
  await db.query(
    `INSERT INTO ledger_events (position, stream_id, stream_version, event_id, type, data, metadata, occurred_at, recorded_at, prev_hash, hash)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
    [
      forged.position,
      forged.streamId,
      forged.streamVersion,
      forged.eventId,
      forged.type,
      JSON.stringify(forged.data),
      JSON.stringify(forged.metadata),
      forged.occurredAt,
      forged.recordedAt,
      prevHash,
      hash,
    ],
  );
  return hash;
}

/**
 * Rewrites every event of `events` from position `from` on consistently, as a superuser can with
 * the append-only triggers off: the first one's data is changed by `change` (it gains a field unless
 * told otherwise), and every hash from there is recomputed, so the chain alone verifies. Only the
 * writer's commit signatures and the signed checkpoints, made with a key the database never holds,
 * still say what was there.
 */
export async function rewriteFrom(
  db: Queryable & { connect(): Promise<Queryable & { release(): void }> },
  events: RecordedEvent[],
  from: number,
  change: (data: Record<string, unknown>) => Record<string, unknown> = (data) => ({ ...data, rewritten: true }),
): Promise<void> {
  const c = await db.connect();
  try {
    await c.query('SET session_replication_role = replica', []);
    let prev = events[from - 2].hash;
    for (const e of events.slice(from - 1)) {
      const data = e.position === from ? change(e.data) : e.data;
      const hash = chainHash(prev, canonicalEventJson({ ...e, data }));
      await c.query('UPDATE ledger_events SET data = $2, prev_hash = $3, hash = $4 WHERE position = $1', [
        e.position,
        JSON.stringify(data),
        prev,
        hash,
      ]);
      prev = hash;
    }
  } finally {
    c.release();
  }
}
