import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { freshDatabase, TestDatabase } from '../../test/support/database';
import { insertChainedRow } from '../../test/support/ledger-tamper';
import { signerFromKey } from './checkpoint';
import { LedgerReader } from './ledger-reader';
import { LedgerWriter } from './ledger-writer';
import { verifyLedger } from './verify';

const append = (writer: LedgerWriter, streamId: string) =>
  writer.append({
    streamId,
    expectedVersion: 'no_stream',
    events: [{ eventId: randomUUID(), type: 'ThingHappened', data: { streamId } }],
  });

/** One signature per group commit, written with it; verify names what no valid signature covers. */
describe('commit signatures (real Postgres)', () => {
  let db: TestDatabase;
  const signer = signerFromKey(generateKeyPairSync('ed25519').privateKey);
  const checked = (from = 0) => verifyLedger(db.appPool(), { signatures: { from, verify: signer.verifyCommit } });

  beforeAll(async () => {
    db = await freshDatabase();
  });
  afterAll(() => db?.drop());

  it('signs each group commit once, at its last position, and refuses what no signature covers', async () => {
    const writer = new LedgerWriter(db.url, { role: 'workgate_ledger', signCommit: (p, h) => signer.signCommit(p, h) });
    await writer.start();
    try {
      // Three appends in one turn of the event loop: one commit, one signature.
      await Promise.all(['a', 'b', 'c'].map((s) => append(writer, s)));
      await append(writer, 'd');
    } finally {
      await writer.stop();
    }
    const signatures = (
      await db.appPool().query('SELECT position FROM ledger_commit_signatures ORDER BY position')
    ).rows.map((r) => r.position);
    expect(signatures).toEqual([3, 4]);
    expect(await checked()).toMatchObject({ ok: true, checked: 4, headPosition: 4 });

    // Append-only: the trigger refuses even the owner.
    await expect(db.ownerPool().query('DELETE FROM ledger_commit_signatures')).rejects.toThrow(/append-only/);

    // A chain-valid row appended by a superuser: no signature covers it.
    const events = (await new LedgerReader(db.appPool()).readAll(0, 100)).events;
    const last = events[events.length - 1];
    const forged = {
      ...last,
      position: 5,
      streamId: 'forged',
      streamVersion: 1,
      eventId: randomUUID(),
      prevHash: last.hash,
    };
    const hash = await insertChainedRow(db.ownerPool(), last.hash, forged);
    expect(await checked()).toMatchObject({
      ok: false,
      firstBadPosition: 5,
      headPosition: 4,
      problem: expect.stringContaining('position 5 is covered by no writer signature'),
    });
    // A checkpoint that vouches for it (signed with the key) is what would let it pass; none does.
    expect(await checked(5)).toMatchObject({ ok: true, headPosition: 5 });
    // A signature by another key is no writer signature.
    const other = signerFromKey(generateKeyPairSync('ed25519').privateKey);
    await db
      .ownerPool()
      .query('INSERT INTO ledger_commit_signatures (position, signature) VALUES (5, $1)', [other.signCommit(5, hash)]);
    expect(await checked()).toMatchObject({
      ok: false,
      firstBadPosition: 5,
      problem: expect.stringContaining('does not verify'),
    });
  });
});
