import { randomUUID } from 'node:crypto';
import { freshDatabase, TestDatabase } from '../../test/support/database';
import { LedgerWriter } from './ledger-writer';

const ev = () => ({ eventId: randomUUID(), type: 'ThingHappened', data: { n: 1 } });

describe('LedgerWriter: a write the database refuses', () => {
  let db: TestDatabase;
  let writer: LedgerWriter;
  const logged: string[] = [];

  beforeAll(async () => {
    db = await freshDatabase();
    writer = new LedgerWriter(db.url, { role: 'workgate_ledger', logError: (m) => logged.push(m) });
    await writer.start();
  });
  afterAll(async () => {
    await writer?.stop();
    await db?.drop();
  });

  it("answers 503 unavailable in its own words and logs the database's at error level", async () => {
    await writer.append({ streamId: 'before', expectedVersion: 'no_stream', events: [ev()] });
    const owner = db.ownerPool();
    await owner.query('REVOKE INSERT ON ledger_events FROM workgate_ledger');
    try {
      const refused = await writer
        .append({ streamId: 'refused', expectedVersion: 'no_stream', events: [ev()] })
        .catch((error: unknown) => error);
      expect(refused).toMatchObject({
        code: 'unavailable',
        message: 'the ledger could not commit the write: a retry with the same Idempotency-Key is safe',
      });
      expect(JSON.stringify(refused)).not.toMatch(/permission|ledger_events|denied/);
      expect(logged).toEqual([
        expect.stringMatching(/^ledger append failed: permission denied for table ledger_events$/),
      ]);
    } finally {
      await owner.query('GRANT INSERT ON ledger_events TO workgate_ledger');
    }
    // Nothing was written, and the writer goes on.
    await expect(
      writer.append({ streamId: 'refused', expectedVersion: 'no_stream', events: [ev()] }),
    ).resolves.toMatchObject({ nextVersion: 1 });
  });
});
