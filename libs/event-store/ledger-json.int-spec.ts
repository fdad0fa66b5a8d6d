import { randomUUID } from 'node:crypto';
import { freshDatabase, TestDatabase } from '../../test/support/database';
import { migrate, migrationDataSource } from './database';
import { LedgerReader } from './ledger-reader';
import { LedgerWriter } from './ledger-writer';
import { verifyLedger } from './verify';

/**
 * A ledger recorded while `data` and `metadata` were `jsonb` (before migration
 * 1763800000008-ledger-json): after the migration its events read the same and its chain still
 * verifies; and the writer writes into either column type (Postgres casts between `json` and
 * `jsonb` on assignment, so an upgrade may run the migration while an earlier ledger service
 * still writes).
 */
describe('the ledger payloads turning json (real Postgres)', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await freshDatabase();
  });
  afterAll(async () => db.drop());

  const columnTypes = async () =>
    (
      await db
        .ownerPool()
        .query(
          `SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'ledger_events' AND column_name IN ('data', 'metadata') ORDER BY column_name`,
        )
    ).rows.map((r) => `${r.column_name}:${r.data_type}`);

  it('keeps every event and its hash chain through the migration', async () => {
    // Back to the earlier schema.
    const earlier = await migrationDataSource(db.url);
    await earlier.initialize();
    // Every migration after it first, then the change of the column types itself.
    while ((await earlier.query(`SELECT 1 FROM workgate_migrations WHERE name = 'LedgerJson1763800000008'`)).length > 0)
      await earlier.undoLastMigration({ transaction: 'each' });
    await earlier.destroy();
    expect(await columnTypes()).toEqual(['data:jsonb', 'metadata:jsonb']);

    // As the ledger service of that version wrote (no Merkle tree yet, the owner's connection).
    const writer = new LedgerWriter(db.url, { merkleTree: false });
    await writer.start();
    const data = { text: 'é ✓ "quoted" \\ back', nested: { z: [1, 2.5, -3, 1e21], a: null, m: true }, empty: {} };
    try {
      await writer.append({
        streamId: 'before-1',
        expectedVersion: 'no_stream',
        events: [{ eventId: randomUUID(), type: 'ThingHappened', data, metadata: { actor: 'a' } }],
      });
      await writer.append({
        streamId: 'before-2',
        expectedVersion: 'no_stream',
        events: [{ eventId: randomUUID(), type: 'ThingHappened', data: { n: 2 } }],
      });
    } finally {
      await writer.stop();
    }
    const reader = new LedgerReader(db.appPool());
    const before = (await reader.readAll(0, 100)).events;

    expect((await migrate(db.url))[0]).toBe('LedgerJson1763800000008');
    expect(await columnTypes()).toEqual(['data:json', 'metadata:json']);
    expect((await reader.readAll(0, 100)).events).toEqual(before);
    expect(before.find((e) => e.streamId === 'before-1')?.data).toEqual(data);

    const after = new LedgerWriter(db.url, { role: 'workgate_ledger' });
    await after.start();
    try {
      await after.append({
        streamId: 'before-1',
        expectedVersion: 1,
        events: [{ eventId: randomUUID(), type: 'ThingHappened', data: { n: 3 } }],
      });
    } finally {
      await after.stop();
    }
    // Stored as the writer sent it: its canonical text.
    const { rows } = await db
      .ownerPool()
      .query(
        `SELECT data::text AS text FROM ledger_events WHERE stream_id = 'before-1' ORDER BY stream_version DESC LIMIT 1`,
      );
    expect(rows[0].text).toBe('{"n":3}');
    expect(await verifyLedger(db.appPool())).toMatchObject({ ok: true, checked: before.length + 1 });
  });
});
