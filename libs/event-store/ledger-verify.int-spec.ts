import { generateKeyPairSync } from 'node:crypto';
import { freshDatabase, TestDatabase } from '../../test/support/database';
import { signerFromKey, verifyCheckpointSignature } from './checkpoint';
import { LedgerWriter } from './ledger-writer';
import { ev } from './spec-support';
import { verifyAgainstCheckpoint, verifyLedger } from './verify';

describe('verify (tampering by a superuser with triggers disabled)', () => {
  let db: TestDatabase;
  let writer: LedgerWriter;

  beforeEach(async () => {
    db = await freshDatabase();
    writer = new LedgerWriter(db.url, { role: 'workgate_ledger' });
    await writer.start();
    for (let i = 0; i < 10; i++)
      await writer.append({ streamId: `t-${i}`, expectedVersion: 'no_stream', events: [ev('T', { i })] });
  });
  afterEach(async () => {
    await writer.stop();
    await db.drop();
  });

  async function asSuperuser(sql: string): Promise<void> {
    const owner = db.ownerPool();
    const client = await owner.connect();
    try {
      await client.query('SET session_replication_role = replica');
      await client.query(sql);
    } finally {
      client.release();
    }
  }

  it('names an altered row at its position', async () => {
    await asSuperuser(`UPDATE ledger_events SET data = '{"i": 99}' WHERE position = 6`);
    expect(await verifyLedger(db.appPool(), { pageSize: 3 })).toMatchObject({
      ok: false,
      checked: 5,
      firstBadPosition: 6,
    });
  });

  it('names a deleted row at its position', async () => {
    await asSuperuser('DELETE FROM ledger_events WHERE position = 4');
    expect(await verifyLedger(db.appPool())).toMatchObject({ ok: false, firstBadPosition: 4 });
  });

  it('catches a truncated or rewritten tail against a kept checkpoint, though the chain alone verifies', async () => {
    const pool = db.appPool();
    const kept = { position: 10, headHash: writer.currentHead().hash };
    expect(await verifyAgainstCheckpoint(pool, kept)).toMatchObject({ ok: true, checked: 10 });
    await writer.stop();
    await asSuperuser('DELETE FROM ledger_events WHERE position > 8');
    expect(await verifyLedger(pool)).toMatchObject({ ok: true, checked: 8 });
    expect(await verifyAgainstCheckpoint(pool, kept)).toMatchObject({
      ok: false,
      firstBadPosition: 9,
      problem: expect.stringMatching(/truncated/),
    });
    // Re-appending other events after the cut gives a valid chain with another hash at 10.
    writer = new LedgerWriter(db.url, { role: 'workgate_ledger' });
    await writer.start();
    await writer.append({ streamId: 'rewritten', expectedVersion: 'any', events: [ev('R'), ev('R')] });
    expect(await verifyLedger(pool)).toMatchObject({ ok: true, checked: 10 });
    expect(await verifyAgainstCheckpoint(pool, kept)).toMatchObject({
      ok: false,
      firstBadPosition: 10,
      problem: expect.stringMatching(/rewritten/),
    });
  });

  it('names every position a signed tree covers past the end of a truncated ledger', async () => {
    await writer.stop();
    // The rows stop before the checkpoint's size, so its root is never compared: any stands in for it.
    const signed = { size: 10, root: Buffer.alloc(32), name: 'the checkpoint of 10 events', signed: true };
    await asSuperuser('DELETE FROM ledger_events WHERE position > 9');
    expect(await verifyLedger(db.appPool(), { roots: [signed] })).toMatchObject({
      ok: false,
      firstBadPosition: 10,
      problem:
        'the ledger ends at 9, but the checkpoint of 10 events covers 10 events: position 10 is gone, its tail was truncated',
    });
    await asSuperuser('DELETE FROM ledger_events WHERE position > 6');
    const smaller = { ...signed, size: 8, name: 'the checkpoint of 8 events' };
    expect(await verifyLedger(db.appPool(), { roots: [smaller, signed] })).toMatchObject({
      ok: false,
      firstBadPosition: 7,
      problem:
        'the ledger ends at 6, but the checkpoint of 10 events covers 10 events: positions 7 to 10 are gone, its tail was truncated',
    });
  });

  it('signs checkpoints with Ed25519; any change breaks the signature', () => {
    const signer = signerFromKey(generateKeyPairSync('ed25519').privateKey);
    const c = signer.sign(10, 'a'.repeat(64), '2026-11-22T10:00:00.000Z');
    expect(signer.verify(c)).toBe(true);
    expect(verifyCheckpointSignature(c)).toBe(true);
    expect(signer.verify({ ...c, position: 9 })).toBe(false);
    expect(signer.verify({ ...c, headHash: 'b'.repeat(64) })).toBe(false);
    expect(signerFromKey(generateKeyPairSync('ed25519').privateKey).verify(c)).toBe(false);
  });

  it('names a row whose hashes were rewritten to match its new content by the next row', async () => {
    await asSuperuser(`UPDATE ledger_events SET hash = repeat('a', 64) WHERE position = 3`);
    expect(await verifyLedger(db.appPool())).toMatchObject({ ok: false, firstBadPosition: 3 });
  });
});
