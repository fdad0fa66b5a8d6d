import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { RecordedEvent } from '@workgate/contracts';
import { freshDatabase, TestDatabase } from '../../test/support/database';
import { LedgerReader } from './ledger-reader';
import { CommittedEvent, LedgerWriter } from './ledger-writer';
import { Projection, ProjectionRunner } from './projection-runner';

/** A projection that keeps what it is given, in order. */
function keeping(name: string): Projection & { seen: RecordedEvent[] } {
  const seen: RecordedEvent[] = [];
  return {
    name,
    types: ['Kept'],
    tables: [],
    seen,
    apply: async (_client, events) => {
      seen.push(...events);
    },
  };
}

/**
 * The projections take the events their own writer just committed from memory, and read from the
 * log whatever memory does not hold from the checkpoint on; either way a view gets every event of
 * its types once, in order, exactly as the log holds it.
 */
describe('ProjectionRunner fed by its writer (real Postgres)', () => {
  let db: TestDatabase;
  let pool: Pool;
  let writer: LedgerWriter;
  const offered: CommittedEvent[][] = [];
  let offering = true;

  beforeAll(async () => {
    db = await freshDatabase();
    pool = db.appPool();
    writer = new LedgerWriter(db.url, { role: 'workgate_app', onCommitted: (_head, events) => offering && offered.push(events) });
    await writer.start();
  });
  afterAll(async () => {
    await writer.stop();
    await db.drop();
  });
  afterEach(() => jest.restoreAllMocks());

  const append = (n: number) =>
    Promise.all(
      Array.from({ length: n }, (_, i) =>
        writer.append({
          streamId: `thing-${randomUUID()}`,
          expectedVersion: 'no_stream',
          events: [
            { eventId: randomUUID(), type: i % 3 === 0 ? 'Skipped' : 'Kept', data: { i, text: 'é 🚀', nested: { list: [1, 'two', null], big: 1e21, small: 0.1 } }, occurredAt: '2026-11-23T05:00:00.123+01:00' },
          ],
        }),
      ),
    );

  it('folds what its writer just committed without reading it back, as the log would give it', async () => {
    const fromMemory = keeping('from-memory');
    const fromLog = keeping('from-log');
    const fed = new ProjectionRunner(pool, [fromMemory]);
    const reading = new ProjectionRunner(pool, [fromLog]);
    await append(60);
    offered.splice(0).forEach((events) => fed.offer(events));
    const scans = jest.spyOn(LedgerReader.prototype, 'scan');

    await fed.catchUp();
    expect(scans).not.toHaveBeenCalled();
    await reading.catchUp();
    expect(scans).toHaveBeenCalled();

    expect(fromMemory.seen).toHaveLength(40);
    expect(fromMemory.seen).toEqual(fromLog.seen);
    expect(fromMemory.seen.map((e) => e.position)).toEqual([...fromMemory.seen.map((e) => e.position)].sort((a, b) => a - b));
  });

  it('reads from the log what memory does not hold, and takes the rest from memory', async () => {
    const p = keeping('gap');
    const runner = new ProjectionRunner(pool, [p], { window: 20 });
    await runner.catchUp(); // everything so far, from the log
    const before = p.seen.length;
    offering = false;
    await append(30); // committed, never offered: only the log has them
    offering = true;
    await append(30);
    offered.splice(0).forEach((events) => runner.offer(events));
    const scans = jest.spyOn(LedgerReader.prototype, 'scan');

    await runner.catchUp();

    // Two pages of 20 positions from the log (the 30 never offered lie in them), the last 20 from memory.
    expect(scans).toHaveBeenCalledTimes(2);
    const positions = p.seen.map((e) => e.position);
    expect(new Set(positions).size).toBe(positions.length);
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
    expect(p.seen.length - before).toBe(40);
    const { rows } = await pool.query(`SELECT count(*)::int AS n FROM ledger_events WHERE type = 'Kept'`);
    expect(p.seen.length).toBe(rows[0].n);
  });
});
