import { AppendResult } from '@workgate/contracts';
import { LedgerReader } from './ledger-reader';
import { ev, ledgerUnderTest } from './spec-support';
import { verifyLedger } from './verify';

describe('LedgerWriter (real Postgres): what is stored and read back', () => {
  const ledger = ledgerUnderTest();

  it('stores data and metadata as given, readable by stream and by position', async () => {
    const e = {
      ...ev('Noted', { nested: { list: [1, 'two', { three: 3 }] }, text: 'é 🚀' }),
      metadata: { actor: 'ops' },
    };
    const r: AppendResult = await ledger.writer.append({
      streamId: 'read-me',
      expectedVersion: 'no_stream',
      events: [e],
    });
    const reader = new LedgerReader(ledger.app);
    const stream = await reader.readStream('read-me');
    expect(stream.events[0]).toMatchObject({
      eventId: e.eventId,
      type: 'Noted',
      data: e.data,
      metadata: e.metadata,
      streamVersion: 1,
    });
    const page = await reader.readAll(r.positions[0] - 1, 1);
    expect(page.events[0].eventId).toBe(e.eventId);
    expect(page.next).toBe(r.positions[0]);
    expect((await verifyLedger(ledger.app)).ok).toBe(true);
  });

  it("answers the stream reads of one turn with one query: each its own events from its version, at most its limit, and the stream's version", async () => {
    await ledger.writer.append({ streamId: 'many-1', expectedVersion: 'no_stream', events: [ev(), ev(), ev()] });
    await ledger.writer.append({ streamId: 'many-2', expectedVersion: 'no_stream', events: [ev()] });
    const queries = jest.spyOn(ledger.app, 'query');
    const reader = new LedgerReader(ledger.app);
    const [all, later, limited, none, alone, unnamable] = await Promise.all([
      reader.readStream('many-1'),
      reader.readStream('many-1', 3),
      reader.readStream('many-1', 1, 2),
      reader.readStream('no-such-stream'),
      reader.readStream('many-2', 2),
      // Postgres refuses a NUL in a text array: answered apart, it cannot fail the others' query.
      reader.readStream('bad\u0000id'),
    ]);
    expect(queries).toHaveBeenCalledTimes(1);
    queries.mockRestore();
    expect(unnamable).toEqual({ streamId: 'bad\u0000id', version: 0, events: [] });
    expect(
      [all, later, limited, none, alone].map((r) => [r.streamId, r.version, r.events.map((e) => e.streamVersion)]),
    ).toEqual([
      ['many-1', 3, [1, 2, 3]],
      ['many-1', 3, [3]],
      ['many-1', 3, [1, 2]],
      ['no-such-stream', 0, []],
      ['many-2', 1, []],
    ]);
    expect(all.events[0]).toEqual(
      (await new LedgerReader(ledger.app).readAll(all.events[0].position - 1, 1)).events[0],
    );
  });

  it('stores every id as written, even a stream or type that reads like NULL', async () => {
    const e = { ...ev('NULL', { n: 1 }), occurredAt: '2026-11-23T05:00:00.123+01:00' };
    await ledger.writer.append({ streamId: 'NULL', expectedVersion: 'no_stream', events: [e] });
    const stream = await new LedgerReader(ledger.app).readStream('NULL');
    expect(stream.events[0]).toMatchObject({
      streamId: 'NULL',
      type: 'NULL',
      eventId: e.eventId,
      occurredAt: '2026-11-23T04:00:00.123Z',
    });
    expect((await verifyLedger(ledger.app)).ok).toBe(true);
  });

  describe('append-only', () => {
    it.each([
      ['UPDATE', "UPDATE ledger_events SET type = 'X' WHERE position = 1"],
      ['DELETE', 'DELETE FROM ledger_events WHERE position = 1'],
      ['TRUNCATE', 'TRUNCATE ledger_events'],
    ])('refuses %s for the application role', async (_op, sql) => {
      await expect(ledger.app.query(sql)).rejects.toThrow(/permission denied|append-only/);
    });

    it.each([
      ['UPDATE', "UPDATE ledger_events SET type = 'X' WHERE position = 1"],
      ['DELETE', 'DELETE FROM ledger_events WHERE position = 1'],
      ['TRUNCATE', 'TRUNCATE ledger_events'],
    ])('refuses %s even for the owner while triggers are on', async (_op, sql) => {
      await expect(ledger.owner.query(sql)).rejects.toThrow(/append-only/);
    });
  });
});
