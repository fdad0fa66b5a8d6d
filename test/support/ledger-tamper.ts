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
