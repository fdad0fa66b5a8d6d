import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { freshDatabase, TestDatabase } from '../../test/support/database';
import { insertChainedRow } from '../../test/support/ledger-tamper';
import { signerFromKey } from './checkpoint';
import { LedgerReader } from './ledger-reader';
import { LedgerWriter } from './ledger-writer';
import { SignedFrontier } from './signed-frontier';

/** The signed frontier, and readers that stop at it: a row no writer signed is never read. */
describe('signed frontier (real Postgres)', () => {
  let db: TestDatabase;
  const signer = signerFromKey(generateKeyPairSync('ed25519').privateKey);

  beforeAll(async () => {
    db = await freshDatabase();
  });
  afterAll(() => db?.drop());

  it('is the last position a valid writer signature covers; readers bounded by it never read past it', async () => {
    const writer = new LedgerWriter(db.url, { role: 'workgate_ledger', signCommit: (p, h) => signer.signCommit(p, h) });
    await writer.start();
    try {
      // Two commits: positions 1-2 (one signature, at 2), then 3.
      await Promise.all(
        ['a', 'b'].map((s) =>
          writer.append({
            streamId: s,
            expectedVersion: 'no_stream',
            events: [{ eventId: randomUUID(), type: 'ThingHappened', data: {} }],
          }),
        ),
      );
      await writer.append({
        streamId: 'c',
        expectedVersion: 'no_stream',
        events: [{ eventId: randomUUID(), type: 'ThingHappened', data: {} }],
      });
    } finally {
      await writer.stop();
    }
    const frontier = new SignedFrontier(db.appPool(), signer.verifyCommit);
    expect(await frontier.position()).toBe(3);

    // A chain-valid row appended by a superuser, in stream `c`: past the frontier.
    const all = new LedgerReader(db.appPool());
    const [last] = (await all.readAll(2, 1)).events;
    const forged = { ...last, position: 4, streamVersion: 2, eventId: randomUUID(), type: 'ThingForged' };
    const hash = await insertChainedRow(db.ownerPool(), last.hash, forged);
    expect(await frontier.position()).toBe(3);
    // A signature made with another key does not move it either.
    const other = signerFromKey(generateKeyPairSync('ed25519').privateKey);
    await db
      .ownerPool()
      .query('INSERT INTO ledger_commit_signatures (position, signature) VALUES (4, $1)', [other.signCommit(4, hash)]);
    expect(await frontier.position()).toBe(3);
    // Nor do many forged rows each with a signature that does not verify: the frontier stays at the
    // last one it verified, however far below the newest signature that is.
    let [prev, prevHash] = [forged, hash];
    for (let position = 5; position <= 110; position++) {
      const row = { ...prev, position, streamVersion: prev.streamVersion + 1, eventId: randomUUID() };
      prevHash = await insertChainedRow(db.ownerPool(), prevHash, row);
      await db
        .ownerPool()
        .query('INSERT INTO ledger_commit_signatures (position, signature) VALUES ($1, $2)', [
          position,
          other.signCommit(position, prevHash),
        ]);
      prev = row;
    }
    expect(await frontier.position()).toBe(3);

    const signed = new LedgerReader(db.appPool(), () => frontier.position());
    expect((await all.readAll(0, 4)).events.map((e) => e.position)).toEqual([1, 2, 3, 4]);
    expect((await signed.readAll(0, 100)).events.map((e) => e.position)).toEqual([1, 2, 3]);
    expect(await signed.readStream('c')).toMatchObject({ version: 1, events: [{ position: 3 }] });
    expect(await signed.getEvent(forged.eventId)).toBeUndefined();
    expect((await signed.query(['ThingForged'])).events).toEqual([]);
    expect((await signed.scan(['ThingHappened', 'ThingForged'], 0)).next).toBe(3);
  });
});
