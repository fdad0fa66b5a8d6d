import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { freshDatabase, TestDatabase } from '../../test/support/database';
import { LedgerWriter } from './ledger-writer';

/** An event to append: a fresh id, a type and its data. */
export const ev = (type = 'ThingHappened', data: Record<string, unknown> = { n: 1 }) => ({
  eventId: randomUUID(),
  type,
  data,
});

/** A fresh database for one spec file and its running writer (as the ledger's role); a test may replace the writer. */
export class LedgerUnderTest {
  // Set by the beforeAll hook `ledgerUnderTest` registers, before any test of the file runs.
  db!: TestDatabase;
  /** The services' role. */
  app!: Pool;
  owner!: Pool;
  writer!: LedgerWriter;
}

/** Registers the hooks that make a fresh ledger before the file's tests and drop it after them. */
export function ledgerUnderTest(): LedgerUnderTest {
  const ledger = new LedgerUnderTest();
  beforeAll(async () => {
    ledger.db = await freshDatabase();
    ledger.app = ledger.db.appPool();
    ledger.owner = ledger.db.ownerPool();
    ledger.writer = new LedgerWriter(ledger.db.url, { role: 'workgate_ledger' });
    await ledger.writer.start();
  });
  afterAll(async () => {
    await ledger.writer.stop();
    await ledger.db.drop();
  });
  return ledger;
}
