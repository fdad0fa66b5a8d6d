import { RecordedEvent } from '@workgate/contracts';
import { freshDatabase, TestDatabase } from '../../test/support/database';
import { eventually } from '../../test/support/processes';
import type { CommittedEvent } from './commit-plan';
import { listParked } from './parked-events';
import type { Projection } from './projection';
import { ProjectionRunner } from './projection-runner';

/** A probe event's number, when it has one. */
const probeN = (e: RecordedEvent): number | undefined => (typeof e.data.n === 'number' ? e.data.n : undefined);

/**
 * Pages of the events this process's writer handed over are read from memory; anything else from
 * the log. Here the log and the handed-over copies differ on purpose (`from`), so each page shows
 * where it was read.
 */
describe("ProjectionRunner: pages from the writer's commits, the rest from the log (real Postgres)", () => {
  let db: TestDatabase;
  let seen: Array<{ position: number; type: string; from: unknown }>;
  let runner: ProjectionRunner;

  const row = (position: number, type: string) =>
    db.ownerPool().query(
      `INSERT INTO ledger_events (position, stream_id, stream_version, event_id, type, data, metadata, occurred_at, recorded_at, prev_hash, hash)
       VALUES ($1::bigint, 'probe-x', $1::int, gen_random_uuid(), $2, '{"from":"log"}', '{}', now(), now(), repeat('0', 64), repeat('1', 64))`,
      [position, type],
    );
  const handedOver = (position: number, type: string): CommittedEvent => {
    const e: RecordedEvent = {
      position,
      streamId: 'probe-x',
      streamVersion: position,
      eventId: '',
      type,
      data: { from: 'memory' },
      metadata: {},
      occurredAt: '2026-11-23T00:00:00.000Z',
      recordedAt: '2026-11-23T00:00:00.000Z',
      prevHash: '',
      hash: '',
    };
    return { position, streamId: 'probe-x', streamVersion: position, eventId: '', type, json: JSON.stringify(e) };
  };

  beforeAll(async () => {
    db = await freshDatabase();
  });
  afterAll(async () => db.drop());
  beforeEach(() => {
    seen = [];
    runner = new ProjectionRunner(db.viewsPool(), [
      {
        name: 'where-read',
        types: ['Wanted'],
        tables: [],
        apply: async (_client, events) =>
          void seen.push(...events.map((e) => ({ position: e.position, type: e.type, from: e.data.from }))),
      },
    ]);
  });

  it('reads handed-over commits from memory, only the wanted types, and never skips what it was not handed', async () => {
    for (const [p, t] of [
      [1, 'Wanted'],
      [2, 'Other'],
      [3, 'Wanted'],
    ] as const)
      await row(p, t);
    runner.committed([handedOver(1, 'Wanted'), handedOver(2, 'Other'), handedOver(3, 'Wanted')]);
    await runner.catchUp();
    expect(seen).toEqual([
      { position: 1, type: 'Wanted', from: 'memory' },
      { position: 3, type: 'Wanted', from: 'memory' },
    ]);

    // Position 6 was committed but never handed over (another writer, a restart): from the gap on,
    // the log is read, and nothing is skipped.
    for (const p of [4, 5, 6, 7, 8]) await row(p, 'Wanted');
    runner.committed([handedOver(4, 'Wanted'), handedOver(5, 'Wanted')]);
    runner.committed([handedOver(7, 'Wanted'), handedOver(8, 'Wanted')]);
    seen = [];
    await runner.catchUp();
    expect(seen.map((e) => e.position)).toEqual([4, 5, 6, 7, 8]);
    expect(seen.find((e) => e.position === 6)?.from).toBe('log');

    // Then memory again, once handed-over commits follow what was applied.
    await row(9, 'Wanted');
    runner.committed([handedOver(9, 'Wanted')]);
    seen = [];
    await runner.catchUp();
    expect(seen).toEqual([{ position: 9, type: 'Wanted', from: 'memory' }]);

    // A hand-over that is not one gap-free run is not trusted either.
    for (const p of [10, 11, 12]) await row(p, 'Wanted');
    runner.committed([handedOver(10, 'Wanted'), handedOver(12, 'Wanted')]);
    seen = [];
    await runner.catchUp();
    expect(seen.map((e) => [e.position, e.from])).toEqual([
      [10, 'log'],
      [11, 'log'],
      [12, 'log'],
    ]);
  });
});

/**
 * An event a projection cannot fold is set aside and the projection goes on; an error that is
 * not the event's own (an outage) pauses it instead, and nothing is set aside.
 */
describe('ProjectionRunner: events it cannot fold (real Postgres)', () => {
  let db: TestDatabase;
  /** The probe projection: each event's position and the n that `ns` reads of it, after `first` (which may throw). */
  const counts = (ns: (events: RecordedEvent[]) => unknown[], first = () => {}): Projection => ({
    name: 'counts',
    types: ['Counted'],
    tables: ['probe_counts'],
    apply: async (client, events) => {
      first();
      await client.query('INSERT INTO probe_counts SELECT * FROM unnest($1::bigint[], $2::smallint[])', [
        events.map((e) => e.position),
        ns(events),
      ]);
    },
  });
  const row = (position: number, data: object) =>
    db.ownerPool().query(
      `INSERT INTO ledger_events (position, stream_id, stream_version, event_id, type, data, metadata, occurred_at, recorded_at, prev_hash, hash)
       VALUES ($1::bigint, 'probe-y', $1::int, gen_random_uuid(), 'Counted', $2, '{}', now(), now(), repeat('0', 64), repeat('1', 64))`,
      [position, JSON.stringify(data)],
    );

  beforeAll(async () => {
    db = await freshDatabase();
    await db.ownerPool().query('CREATE TABLE probe_counts (position bigint PRIMARY KEY, n smallint NOT NULL)');
    await db.ownerPool().query('GRANT SELECT, INSERT ON probe_counts TO workgate_views');
  });
  afterAll(async () => db.drop());

  it('folds every event of a page but those it cannot, sets those aside with their error, and moves on', async () => {
    // n must fit a smallint; position 4's data cannot be read at all.
    for (let p = 1; p <= 10; p++) await row(p, p === 4 ? { broken: true } : { n: p === 7 ? 70_000 : p });
    const parked: number[] = [];
    const runner = new ProjectionRunner(
      db.viewsPool(),
      // Position 4 has no n: reading it fails as a fold of unreadable data does.
      [counts((events) => events.map((e) => probeN(e)!.toFixed(0)))],
      { onParked: (events) => parked.push(...events.map((e) => e.position)) },
    );
    await runner.catchUp();
    const { rows } = await db.ownerPool().query('SELECT position FROM probe_counts ORDER BY position');
    expect(rows.map((r) => r.position)).toEqual([1, 2, 3, 5, 6, 8, 9, 10]);
    expect(parked).toEqual([4, 7]);
    expect((await listParked(db.appPool())).map((e) => [e.position, e.error])).toEqual([
      [4, expect.stringContaining("reading 'toFixed'")],
      [7, 'value "70000" is out of range for type smallint'],
    ]);
    const checkpoint = await db.ownerPool().query(`SELECT position FROM projection_checkpoints WHERE name = 'counts'`);
    expect(checkpoint.rows[0].position).toBe(10);
  });

  it("pauses on an error that is not the events' own, sets nothing aside, and goes on once it passes", async () => {
    await row(11, { n: 11 });
    let outage = true;
    const runner = new ProjectionRunner(
      db.viewsPool(),
      [
        counts(
          (events) => events.map((e) => probeN(e)),
          () => {
            if (outage) throw new Error('Connection terminated unexpectedly');
          },
        ),
      ],
      { idleMs: 20 },
    );
    runner.start();
    await eventually(async () => runner.pausedBy !== undefined, 5000, 'the pause');
    expect(runner.pausedBy).toMatchObject({ error: 'Connection terminated unexpectedly' });
    expect((await listParked(db.appPool())).map((e) => e.position)).toEqual([4, 7]);
    outage = false;
    await eventually(
      async () => (await db.ownerPool().query('SELECT 1 FROM probe_counts WHERE position = 11')).rowCount === 1,
      5000,
      'position 11',
    );
    expect(runner.pausedBy).toBeUndefined();
    await runner.stop();
  });
});
