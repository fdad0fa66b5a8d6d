import { Client } from 'pg';
import { LedgerReader } from './ledger-reader';
import { LedgerWriter } from './ledger-writer';
import { ev, ledgerUnderTest } from './spec-support';
import { verifyLedger } from './verify';

describe('LedgerWriter (real Postgres): commits, versions and replays', () => {
  const ledger = ledgerUnderTest();

  it('lands 1,000 concurrent appends to 1,000 streams at positions 1..N with no gap and a valid chain', async () => {
    const before = (await new LedgerReader(ledger.app).head()).position;
    const results = await Promise.all(
      Array.from({ length: 1000 }, (_, i) =>
        ledger.writer.append({ streamId: `bulk-${i}`, expectedVersion: 'no_stream', events: [ev()] }),
      ),
    );
    const positions = results.flatMap((r) => r.positions).sort((a, b) => a - b);
    expect(positions).toEqual(Array.from({ length: 1000 }, (_, i) => before + i + 1));
    expect(results.every((r) => r.nextVersion === 1)).toBe(true);

    const { rows } = await ledger.app.query(
      'SELECT count(*)::int AS n, min(position) AS lo, max(position) AS hi FROM ledger_events',
    );
    expect(rows[0]).toEqual({ n: before + 1000, lo: 1, hi: before + 1000 });
    const verdict = await verifyLedger(ledger.app);
    expect(verdict).toMatchObject({ ok: true, checked: before + 1000, headPosition: before + 1000 });
    expect(verdict.headHash).toBe(ledger.writer.currentHead().hash);
  });

  it("commits a command's appends to several streams together, at consecutive positions, each at its expected version", async () => {
    await ledger.writer.append({ streamId: 'owner-1', expectedVersion: 'no_stream', events: [ev()] });
    const decided = ev('Decided');
    const requested = ev('Requested');
    const result = await ledger.writer.commit({
      appends: [
        { streamId: 'owner-1', expectedVersion: 1, events: [decided] },
        { streamId: 'started-1', expectedVersion: 'no_stream', events: [requested] },
      ],
    });
    expect(result.results.map((r) => r.nextVersion)).toEqual([2, 1]);
    expect(result.results[1].positions[0]).toBe(result.results[0].positions[0] + 1);
    expect(result.position).toBe(result.results[1].positions[0]);
    const reader = new LedgerReader(ledger.app);
    expect((await reader.readStream('started-1')).events.map((e) => [e.eventId, e.streamVersion])).toEqual([
      [requested.eventId, 1],
    ]);
    // The same commit again writes nothing and answers as the first time.
    await expect(
      ledger.writer.commit({
        appends: [
          { streamId: 'owner-1', expectedVersion: 1, events: [decided] },
          { streamId: 'started-1', expectedVersion: 'no_stream', events: [requested] },
        ],
      }),
    ).resolves.toEqual(result);
  });

  it('refuses a whole commit when one of its streams is not at the expected version, and writes none of it', async () => {
    await ledger.writer.append({ streamId: 'owner-2', expectedVersion: 'no_stream', events: [ev()] });
    await ledger.writer.append({ streamId: 'taken-2', expectedVersion: 'no_stream', events: [ev()] });
    const head = ledger.writer.currentHead().position;
    const lost = ev('Decided');
    await expect(
      ledger.writer.commit({
        appends: [
          { streamId: 'owner-2', expectedVersion: 1, events: [lost] },
          { streamId: 'taken-2', expectedVersion: 'no_stream', events: [ev()] },
        ],
      }),
    ).rejects.toMatchObject({
      code: 'version_conflict',
      details: [{ streamId: 'taken-2', expectedVersion: 0, currentVersion: 1 }],
    });
    expect(ledger.writer.currentHead().position).toBe(head);
    expect((await new LedgerReader(ledger.app).readStream('owner-2')).version).toBe(1);
    // Appends of other callers in the same group commit still land.
    const [refused, landed] = await Promise.allSettled([
      ledger.writer.commit({
        appends: [
          { streamId: 'owner-2', expectedVersion: 1, events: [lost] },
          { streamId: 'taken-2', expectedVersion: 5, events: [ev()] },
        ],
      }),
      ledger.writer.append({ streamId: 'owner-2', expectedVersion: 1, events: [ev()] }),
    ]);
    expect(refused).toMatchObject({ status: 'rejected', reason: { code: 'version_conflict' } });
    expect(landed).toMatchObject({ status: 'fulfilled', value: { nextVersion: 2 } });
  });

  it('refuses a commit naming a stream twice, or an event id in two of its appends', async () => {
    const e = ev();
    await expect(
      ledger.writer.commit({
        appends: [
          { streamId: 'twice', expectedVersion: 'any', events: [ev()] },
          { streamId: 'twice', expectedVersion: 'any', events: [ev()] },
        ],
      }),
    ).rejects.toMatchObject({
      code: 'invalid_event',
      message: 'commit refused: stream twice appears in more than one append of the commit',
    });
    await expect(
      ledger.writer.commit({
        appends: [
          { streamId: 'one', expectedVersion: 'any', events: [e] },
          { streamId: 'two', expectedVersion: 'any', events: [e] },
        ],
      }),
    ).rejects.toMatchObject({
      code: 'invalid_event',
      message: `commit refused: event id ${e.eventId} appears in more than one append of the commit`,
    });
    await expect(
      ledger.writer.commit({
        appends: [
          { streamId: 'ok', expectedVersion: 'any', events: [ev()] },
          { streamId: '', expectedVersion: 'any', events: [] },
        ],
      }),
    ).rejects.toMatchObject({
      code: 'invalid_event',
      details: expect.arrayContaining([
        expect.stringMatching(/^appends\[1\]: streamId must be/),
        'appends[1]: events must be a non-empty array',
      ]),
    });
  });

  it('lets exactly one of 100 concurrent appends with the same expected version win', async () => {
    await ledger.writer.append({ streamId: 'contended', expectedVersion: 'no_stream', events: [ev()] });
    const outcomes = await Promise.allSettled(
      Array.from({ length: 100 }, () =>
        ledger.writer.append({ streamId: 'contended', expectedVersion: 1, events: [ev()] }),
      ),
    );
    const won = outcomes.filter((o) => o.status === 'fulfilled');
    const lost = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(99);
    for (const o of lost) expect(o.reason).toMatchObject({ code: 'version_conflict' });
    const stream = await new LedgerReader(ledger.app).readStream('contended');
    expect(stream.version).toBe(2);
  });

  it('refuses no_stream on an existing stream and a stale version', async () => {
    await ledger.writer.append({ streamId: 'once', expectedVersion: 'no_stream', events: [ev(), ev()] });
    await expect(
      ledger.writer.append({ streamId: 'once', expectedVersion: 'no_stream', events: [ev()] }),
    ).rejects.toMatchObject({
      code: 'version_conflict',
    });
    await expect(ledger.writer.append({ streamId: 'once', expectedVersion: 1, events: [ev()] })).rejects.toMatchObject({
      code: 'version_conflict',
    });
    await expect(ledger.writer.append({ streamId: 'once', expectedVersion: 2, events: [ev()] })).resolves.toMatchObject(
      {
        nextVersion: 3,
      },
    );
    await expect(
      ledger.writer.append({ streamId: 'once', expectedVersion: 'any', events: [ev()] }),
    ).resolves.toMatchObject({
      nextVersion: 4,
    });
  });

  it('records a repeated event id once and answers the replay as the first time', async () => {
    const events = [ev('A'), ev('B')];
    const first = await ledger.writer.append({ streamId: 'idem', expectedVersion: 'no_stream', events });
    const again = await ledger.writer.append({ streamId: 'idem', expectedVersion: 'no_stream', events });
    const concurrent = await Promise.all([
      ledger.writer.append({
        streamId: 'idem-2',
        expectedVersion: 'any',
        events: [events[0]].map((e) => ({ ...e, eventId: 'b5a1f3a0-0000-4000-8000-000000000001' })),
      }),
      ledger.writer.append({
        streamId: 'idem-2',
        expectedVersion: 'any',
        events: [events[0]].map((e) => ({ ...e, eventId: 'b5a1f3a0-0000-4000-8000-000000000001' })),
      }),
    ]);
    expect(again).toEqual(first);
    expect(concurrent[1]).toEqual(concurrent[0]);
    const { rows } = await ledger.app.query(
      'SELECT count(*)::int AS n FROM ledger_events WHERE stream_id IN ($1, $2)',
      ['idem', 'idem-2'],
    );
    expect(rows[0].n).toBe(3);
    await expect(
      ledger.writer.append({ streamId: 'elsewhere', expectedVersion: 'any', events: [events[0]] }),
    ).rejects.toMatchObject({ code: 'duplicate_event_id' });
  });

  it('after a takeover (empty cache) still refuses no_stream on an existing stream and answers replays', async () => {
    const events = [ev('First')];
    const first = await ledger.writer.append({ streamId: 'survivor', expectedVersion: 'no_stream', events });
    await ledger.writer.stop();
    ledger.writer = new LedgerWriter(ledger.db.url, { role: 'workgate_ledger' });
    await ledger.writer.start();
    const [conflict, replay] = await Promise.allSettled([
      ledger.writer.append({ streamId: 'survivor', expectedVersion: 'no_stream', events: [ev()] }),
      ledger.writer.append({ streamId: 'survivor', expectedVersion: 'no_stream', events }),
    ]);
    expect(conflict).toMatchObject({ status: 'rejected', reason: { code: 'version_conflict' } });
    expect(replay).toEqual({ status: 'fulfilled', value: first });
    await expect(
      ledger.writer.append({ streamId: 'survivor', expectedVersion: 1, events: [ev()] }),
    ).resolves.toMatchObject({
      nextVersion: 2,
    });
  });

  it('keeps what a lookup found of a stream it refused: the next append to it asks the database nothing', async () => {
    await ledger.writer.append({ streamId: 'started-twice', expectedVersion: 'no_stream', events: [ev()] });
    const lookups = () =>
      query.mock.calls.filter(([sql]) => typeof sql === 'string' && sql.includes('WHERE event_id = ANY')).length;
    const query = jest.spyOn(Client.prototype, 'query');
    try {
      // A second start of the stream (as two services racing to start it): refused after a lookup.
      await expect(
        ledger.writer.append({ streamId: 'started-twice', expectedVersion: 'no_stream', events: [ev()] }),
      ).rejects.toMatchObject({ code: 'version_conflict' });
      expect(lookups()).toBe(1);
      await expect(
        ledger.writer.append({ streamId: 'started-twice', expectedVersion: 1, events: [ev()] }),
      ).resolves.toMatchObject({ nextVersion: 2 });
      expect(lookups()).toBe(1);
    } finally {
      query.mockRestore();
    }
  });
});
