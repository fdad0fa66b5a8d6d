import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { AppendResult, WorkgateError } from '@workgate/contracts';
import { freshDatabase, TestDatabase } from '../../test/support/database';
import { LedgerReader } from './ledger-reader';
import { LedgerWriter } from './ledger-writer';
import { MAX_APPEND_BYTES, MAX_EVENT_BYTES, prepareAppend } from './validate';
import { generateKeyPairSync } from 'node:crypto';
import { signerFromKey, verifyCheckpointSignature } from './checkpoint';
import { verifyAgainstCheckpoint, verifyLedger } from './verify';

const ev = (type = 'ThingHappened', data: Record<string, unknown> = { n: 1 }) => ({
  eventId: randomUUID(),
  type,
  data,
});

describe('LedgerWriter (real Postgres)', () => {
  let db: TestDatabase;
  let app: Pool;
  let owner: Pool;
  let writer: LedgerWriter;

  beforeAll(async () => {
    db = await freshDatabase();
    app = db.appPool();
    owner = db.ownerPool();
    writer = new LedgerWriter(db.url, { role: 'workgate_ledger' });
    await writer.start();
  });
  afterAll(async () => {
    await writer.stop();
    await db.drop();
  });

  it('lands 1,000 concurrent appends to 1,000 streams at positions 1..N with no gap and a valid chain', async () => {
    const before = (await new LedgerReader(app).head()).position;
    const results = await Promise.all(
      Array.from({ length: 1000 }, (_, i) =>
        writer.append({ streamId: `bulk-${i}`, expectedVersion: 'no_stream', events: [ev()] }),
      ),
    );
    const positions = results.flatMap((r) => r.positions).sort((a, b) => a - b);
    expect(positions).toEqual(Array.from({ length: 1000 }, (_, i) => before + i + 1));
    expect(results.every((r) => r.nextVersion === 1)).toBe(true);

    const { rows } = await app.query(
      'SELECT count(*)::int AS n, min(position) AS lo, max(position) AS hi FROM ledger_events',
    );
    expect(rows[0]).toEqual({ n: before + 1000, lo: 1, hi: before + 1000 });
    const verdict = await verifyLedger(app);
    expect(verdict).toMatchObject({ ok: true, checked: before + 1000, headPosition: before + 1000 });
    expect(verdict.headHash).toBe(writer.currentHead().hash);
  });

  it("commits a command's appends to several streams together, at consecutive positions, each at its expected version", async () => {
    await writer.append({ streamId: 'owner-1', expectedVersion: 'no_stream', events: [ev()] });
    const decided = ev('Decided');
    const requested = ev('Requested');
    const result = await writer.commit({
      appends: [
        { streamId: 'owner-1', expectedVersion: 1, events: [decided] },
        { streamId: 'started-1', expectedVersion: 'no_stream', events: [requested] },
      ],
    });
    expect(result.results.map((r) => r.nextVersion)).toEqual([2, 1]);
    expect(result.results[1].positions[0]).toBe(result.results[0].positions[0] + 1);
    expect(result.position).toBe(result.results[1].positions[0]);
    const reader = new LedgerReader(app);
    expect((await reader.readStream('started-1')).events.map((e) => [e.eventId, e.streamVersion])).toEqual([
      [requested.eventId, 1],
    ]);
    // The same commit again writes nothing and answers as the first time.
    await expect(
      writer.commit({
        appends: [
          { streamId: 'owner-1', expectedVersion: 1, events: [decided] },
          { streamId: 'started-1', expectedVersion: 'no_stream', events: [requested] },
        ],
      }),
    ).resolves.toEqual(result);
  });

  it('refuses a whole commit when one of its streams is not at the expected version, and writes none of it', async () => {
    await writer.append({ streamId: 'owner-2', expectedVersion: 'no_stream', events: [ev()] });
    await writer.append({ streamId: 'taken-2', expectedVersion: 'no_stream', events: [ev()] });
    const head = writer.currentHead().position;
    const lost = ev('Decided');
    await expect(
      writer.commit({
        appends: [
          { streamId: 'owner-2', expectedVersion: 1, events: [lost] },
          { streamId: 'taken-2', expectedVersion: 'no_stream', events: [ev()] },
        ],
      }),
    ).rejects.toMatchObject({
      code: 'version_conflict',
      details: [{ streamId: 'taken-2', expectedVersion: 0, currentVersion: 1 }],
    });
    expect(writer.currentHead().position).toBe(head);
    expect((await new LedgerReader(app).readStream('owner-2')).version).toBe(1);
    // Appends of other callers in the same group commit still land.
    const [refused, landed] = await Promise.allSettled([
      writer.commit({
        appends: [
          { streamId: 'owner-2', expectedVersion: 1, events: [lost] },
          { streamId: 'taken-2', expectedVersion: 5, events: [ev()] },
        ],
      }),
      writer.append({ streamId: 'owner-2', expectedVersion: 1, events: [ev()] }),
    ]);
    expect(refused).toMatchObject({ status: 'rejected', reason: { code: 'version_conflict' } });
    expect(landed).toMatchObject({ status: 'fulfilled', value: { nextVersion: 2 } });
  });

  it('refuses a commit naming a stream twice, or an event id in two of its appends', async () => {
    const e = ev();
    await expect(
      writer.commit({
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
      writer.commit({
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
      writer.commit({
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
    await writer.append({ streamId: 'contended', expectedVersion: 'no_stream', events: [ev()] });
    const outcomes = await Promise.allSettled(
      Array.from({ length: 100 }, () => writer.append({ streamId: 'contended', expectedVersion: 1, events: [ev()] })),
    );
    const won = outcomes.filter((o) => o.status === 'fulfilled');
    const lost = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(99);
    for (const o of lost) expect((o.reason as WorkgateError).code).toBe('version_conflict');
    const stream = await new LedgerReader(app).readStream('contended');
    expect(stream.version).toBe(2);
  });

  it('refuses no_stream on an existing stream and a stale version', async () => {
    await writer.append({ streamId: 'once', expectedVersion: 'no_stream', events: [ev(), ev()] });
    await expect(
      writer.append({ streamId: 'once', expectedVersion: 'no_stream', events: [ev()] }),
    ).rejects.toMatchObject({
      code: 'version_conflict',
    });
    await expect(writer.append({ streamId: 'once', expectedVersion: 1, events: [ev()] })).rejects.toMatchObject({
      code: 'version_conflict',
    });
    await expect(writer.append({ streamId: 'once', expectedVersion: 2, events: [ev()] })).resolves.toMatchObject({
      nextVersion: 3,
    });
    await expect(writer.append({ streamId: 'once', expectedVersion: 'any', events: [ev()] })).resolves.toMatchObject({
      nextVersion: 4,
    });
  });

  it('records a repeated event id once and answers the replay as the first time', async () => {
    const events = [ev('A'), ev('B')];
    const first = await writer.append({ streamId: 'idem', expectedVersion: 'no_stream', events });
    const again = await writer.append({ streamId: 'idem', expectedVersion: 'no_stream', events });
    const concurrent = await Promise.all([
      writer.append({
        streamId: 'idem-2',
        expectedVersion: 'any',
        events: [events[0]].map((e) => ({ ...e, eventId: 'b5a1f3a0-0000-4000-8000-000000000001' })),
      }),
      writer.append({
        streamId: 'idem-2',
        expectedVersion: 'any',
        events: [events[0]].map((e) => ({ ...e, eventId: 'b5a1f3a0-0000-4000-8000-000000000001' })),
      }),
    ]);
    expect(again).toEqual(first);
    expect(concurrent[1]).toEqual(concurrent[0]);
    const { rows } = await app.query('SELECT count(*)::int AS n FROM ledger_events WHERE stream_id IN ($1, $2)', [
      'idem',
      'idem-2',
    ]);
    expect(rows[0].n).toBe(3);
    await expect(
      writer.append({ streamId: 'elsewhere', expectedVersion: 'any', events: [events[0]] }),
    ).rejects.toMatchObject({ code: 'duplicate_event_id' });
  });

  it('after a takeover (empty cache) still refuses no_stream on an existing stream and answers replays', async () => {
    const events = [ev('First')];
    const first = await writer.append({ streamId: 'survivor', expectedVersion: 'no_stream', events });
    await writer.stop();
    writer = new LedgerWriter(db.url, { role: 'workgate_ledger' });
    await writer.start();
    const [conflict, replay] = await Promise.allSettled([
      writer.append({ streamId: 'survivor', expectedVersion: 'no_stream', events: [ev()] }),
      writer.append({ streamId: 'survivor', expectedVersion: 'no_stream', events }),
    ]);
    expect(conflict).toMatchObject({ status: 'rejected', reason: { code: 'version_conflict' } });
    expect(replay).toEqual({ status: 'fulfilled', value: first });
    await expect(writer.append({ streamId: 'survivor', expectedVersion: 1, events: [ev()] })).resolves.toMatchObject({
      nextVersion: 2,
    });
  });

  it('refuses invalid events with every problem listed, and one bad append never fails its batch', async () => {
    const bad = writer.append({
      streamId: '',
      expectedVersion: -1,
      events: [{ eventId: 'nope', type: '', data: { s: 'nul\u0000byte' } }],
    });
    const good = writer.append({ streamId: 'neighbour', expectedVersion: 'no_stream', events: [ev()] });
    const error = (await bad.catch((e) => e)) as WorkgateError;
    expect(error.code).toBe('invalid_event');
    expect(error.details).toHaveLength(5);
    await expect(good).resolves.toMatchObject({ nextVersion: 1 });
  });

  it('refuses a NUL character or an unpaired surrogate anywhere in data or metadata, and takes a surrogate pair', () => {
    const append =
      (data: Record<string, unknown>, metadata: Record<string, unknown> = {}) =>
      () =>
        prepareAppend({ streamId: 'text', expectedVersion: 'any', events: [{ ...ev('Text', data), metadata }] });
    expect(append({ s: 'a\ud800b' })).toThrow(/unpaired surrogate/);
    expect(append({ s: 'a\udc00' })).toThrow(/unpaired surrogate/);
    expect(append({ ['k\ud83d']: 1 })).toThrow(/unpaired surrogate/);
    expect(append({}, { s: 'x\u0000' })).toThrow(/metadata contains a NUL/);
    expect(append({ s: 'smile \ud83d\ude00, tab\t' })).not.toThrow();
  });

  it('refuses an append whose events together hold more JSON than one commit may carry', () => {
    const big = 'x'.repeat(MAX_EVENT_BYTES - 100);
    const events = Array.from({ length: Math.ceil(MAX_APPEND_BYTES / big.length) + 1 }, () => ev('Big', { big }));
    expect(() => prepareAppend({ streamId: 'too-big', expectedVersion: 'no_stream', events })).toThrow(
      /at most 67108864 characters of JSON/,
    );
    expect(() =>
      prepareAppend({ streamId: 'big-enough', expectedVersion: 'no_stream', events: events.slice(0, 10) }),
    ).not.toThrow();
  });

  it('splits a burst of appends into commits that each stay under the JSON bound', async () => {
    const commits: number[] = [];
    const small = new LedgerWriter(db.url, {
      role: 'workgate_ledger',
      maxBatchBytes: 10_000,
      onCommitted: (_, events) => commits.push(events.length),
    });
    await writer.stop(); // one writer at a time
    await small.start();
    try {
      const text = 'y'.repeat(3_000);
      const results = await Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          small.append({ streamId: `chunked-${i}`, expectedVersion: 'no_stream', events: [ev('Chunk', { text })] }),
        ),
      );
      expect(results.every((r) => r.nextVersion === 1)).toBe(true);
      // At most three 3,000-character events fit 10,000: eight take at least three commits.
      expect(commits.length).toBeGreaterThanOrEqual(3);
      expect(Math.max(...commits)).toBeLessThanOrEqual(3);
      expect((await verifyLedger(app)).ok).toBe(true);
    } finally {
      await small.stop();
      await writer.start();
    }
  });

  it('stores data and metadata as given, readable by stream and by position', async () => {
    const e = {
      ...ev('Noted', { nested: { list: [1, 'two', { three: 3 }] }, text: 'é 🚀' }),
      metadata: { actor: 'ops' },
    };
    const r: AppendResult = await writer.append({ streamId: 'read-me', expectedVersion: 'no_stream', events: [e] });
    const reader = new LedgerReader(app);
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
    expect((await verifyLedger(app)).ok).toBe(true);
  });

  it("answers the stream reads of one turn with one query: each its own events from its version, at most its limit, and the stream's version", async () => {
    await writer.append({ streamId: 'many-1', expectedVersion: 'no_stream', events: [ev(), ev(), ev()] });
    await writer.append({ streamId: 'many-2', expectedVersion: 'no_stream', events: [ev()] });
    let queries = 0;
    const counting = {
      query: (...args: Parameters<Pool['query']>) => (queries++, (app.query as (...a: unknown[]) => unknown)(...args)),
    } as unknown as Pool;
    const reader = new LedgerReader(counting);
    const [all, later, limited, none, alone, unnamable] = await Promise.all([
      reader.readStream('many-1'),
      reader.readStream('many-1', 3),
      reader.readStream('many-1', 1, 2),
      reader.readStream('no-such-stream'),
      reader.readStream('many-2', 2),
      // Postgres refuses a NUL in a text array: answered apart, it cannot fail the others' query.
      reader.readStream('bad\u0000id'),
    ]);
    expect(queries).toBe(1);
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
    expect(all.events[0]).toEqual((await new LedgerReader(app).readAll(all.events[0].position - 1, 1)).events[0]);
  });

  it('stores every id as written, even a stream or type that reads like NULL', async () => {
    const e = { ...ev('NULL', { n: 1 }), occurredAt: '2026-11-23T05:00:00.123+01:00' };
    await writer.append({ streamId: 'NULL', expectedVersion: 'no_stream', events: [e] });
    const stream = await new LedgerReader(app).readStream('NULL');
    expect(stream.events[0]).toMatchObject({
      streamId: 'NULL',
      type: 'NULL',
      eventId: e.eventId,
      occurredAt: '2026-11-23T04:00:00.123Z',
    });
    expect((await verifyLedger(app)).ok).toBe(true);
  });

  describe('append-only', () => {
    it.each([
      ['UPDATE', "UPDATE ledger_events SET type = 'X' WHERE position = 1"],
      ['DELETE', 'DELETE FROM ledger_events WHERE position = 1'],
      ['TRUNCATE', 'TRUNCATE ledger_events'],
    ])('refuses %s for the application role', async (_op, sql) => {
      await expect(app.query(sql)).rejects.toThrow(/permission denied|append-only/);
    });

    it.each([
      ['UPDATE', "UPDATE ledger_events SET type = 'X' WHERE position = 1"],
      ['DELETE', 'DELETE FROM ledger_events WHERE position = 1'],
      ['TRUNCATE', 'TRUNCATE ledger_events'],
    ])('refuses %s even for the owner while triggers are on', async (_op, sql) => {
      await expect(owner.query(sql)).rejects.toThrow(/append-only/);
    });
  });
});

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

describe('single writer', () => {
  it('keeps a second instance as a standby and hands over when the first dies', async () => {
    const db = await freshDatabase();
    const changes: string[] = [];
    const first = new LedgerWriter(db.url, {
      role: 'workgate_ledger',
      onActiveChange: (a) => changes.push(`first:${a}`),
    });
    const second = new LedgerWriter(db.url, {
      role: 'workgate_ledger',
      standbyPollMs: 50,
      onActiveChange: (a) => changes.push(`second:${a}`),
    });
    try {
      await first.start();
      await first.append({ streamId: 's', expectedVersion: 'no_stream', events: [ev()] });
      const secondActive = second.start();
      await new Promise((r) => setTimeout(r, 200));
      expect(second.isActive).toBe(false);
      await expect(second.append({ streamId: 's', expectedVersion: 1, events: [ev()] })).rejects.toMatchObject({
        code: 'unavailable',
      });

      // Kill the first writer's connection from the outside, as a crash would.
      const owner = db.ownerPool();
      await owner.query(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
                          WHERE datname = $1 AND application_name = 'workgate-ledger-writer'
                            AND pid IN (SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted)`,
        [db.name],
      );
      await secondActive;
      expect(second.isActive).toBe(true);
      await expect(second.append({ streamId: 's', expectedVersion: 1, events: [ev()] })).resolves.toMatchObject({
        positions: [2],
        nextVersion: 2,
      });
      expect(changes.slice(0, 3)).toEqual(['first:true', 'first:false', 'second:true']);
      expect((await verifyLedger(db.appPool())).ok).toBe(true);
    } finally {
      await first.stop();
      await second.stop();
      await db.drop();
    }
  });

  it('stays stopped when it is stopped after losing its connection, before it would compete again', async () => {
    const db = await freshDatabase();
    const writer = new LedgerWriter(db.url, { role: 'workgate_ledger', standbyPollMs: 50 });
    const owner = db.ownerPool();
    const writerConnections = async () =>
      (
        await owner.query(
          `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND application_name = 'workgate-ledger-writer'`,
          [db.name],
        )
      ).rows[0].n;
    try {
      await writer.start();
      await owner.query(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND application_name = 'workgate-ledger-writer'`,
        [db.name],
      );
      await new Promise((r) => setTimeout(r, 20)); // the loss is noticed, the retry scheduled
      await writer.stop();
      await new Promise((r) => setTimeout(r, 300)); // well past the retry's time
      expect(writer.isActive).toBe(false);
      expect(await writerConnections()).toBe(0);
    } finally {
      await writer.stop();
      await db.drop();
    }
  });
});
