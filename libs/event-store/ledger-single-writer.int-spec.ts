import { freshDatabase, TestDatabase } from '../../test/support/database';
import { LedgerWriter } from './ledger-writer';
import { LedgerWriterOptions } from './writer-options';
import { ev } from './spec-support';
import { verifyLedger } from './verify';

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
    await withWriter({}, async (writer, db) => {
      await writer.start();
      await db
        .ownerPool()
        .query(
          `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND application_name = 'workgate-ledger-writer'`,
          [db.name],
        );
      await new Promise((r) => setTimeout(r, 20)); // the loss is noticed, the retry scheduled
      await writer.stop();
      await new Promise((r) => setTimeout(r, 300)); // well past the retry's time
      expect(writer.isActive).toBe(false);
      expect(await heldByWriter(db)).toEqual({ connections: 0, locks: 0 });
    });
  });

  it('stops quietly when stopped while it is taking the lock: it reports no failure and never becomes active', async () => {
    const logged: string[] = [];
    let admitted = (): void => undefined;
    let asked = (): void => undefined;
    const admissionAsked = new Promise<void>((resolve) => (asked = resolve));
    const options: LedgerWriterOptions = {
      log: (m) => logged.push(m),
      // The admission is where a start waits on other services (the checkpointer): stop meanwhile.
      admit: () => {
        asked();
        return new Promise((resolve) => (admitted = () => resolve({ ok: true })));
      },
    };
    await withWriter(options, async (writer, db) => {
      const started = writer.start();
      await admissionAsked; // the lock is taken, the admission pending
      const stopped = writer.stop();
      admitted();
      await stopped;
      await started;
      expect(writer.isActive).toBe(false);
      expect(logged).toEqual([]);
      expect(await heldByWriter(db)).toEqual({ connections: 0, locks: 0 });
    });
  });

  it('gives up its connection and the lock when stopped while it connects, and never becomes active', async () => {
    await withWriter({}, async (writer, db) => {
      const started = writer.start(); // connecting
      await writer.stop();
      await started;
      expect(writer.isActive).toBe(false);
      expect(await heldByWriter(db)).toEqual({ connections: 0, locks: 0 });
      // Another instance takes the lock at once.
      const next = new LedgerWriter(db.url, { role: 'workgate_ledger', standbyPollMs: 50 });
      await next.start();
      expect(next.isActive).toBe(true);
      await next.stop();
    });
  });

  it('never becomes active when stopped while it loads the tree after its admission', async () => {
    const changes: boolean[] = [];
    let stop = (): Promise<void> => Promise.resolve();
    let stopped: Promise<void> = Promise.resolve();
    const options: LedgerWriterOptions = {
      onActiveChange: (active) => changes.push(active),
      // Admitted, and stopped on the next turn: while the writer stores the tree.
      admit: () => {
        setImmediate(() => {
          stopped = stop();
        });
        return Promise.resolve({ ok: true });
      },
    };
    await withWriter(options, async (writer, db) => {
      stop = () => writer.stop();
      await writer.start();
      await stopped;
      expect(changes).toEqual([]);
      expect(writer.isActive).toBe(false);
      expect(await heldByWriter(db)).toEqual({ connections: 0, locks: 0 });
    });
  });
});

/** A writer with `options` on a fresh database, handed to `use`; stopped, and the database dropped, after. */
async function withWriter(
  options: LedgerWriterOptions,
  use: (writer: LedgerWriter, db: TestDatabase) => Promise<void>,
): Promise<void> {
  const db = await freshDatabase();
  const writer = new LedgerWriter(db.url, { role: 'workgate_ledger', standbyPollMs: 50, ...options });
  try {
    await use(writer, db);
  } finally {
    await writer.stop();
    await db.drop();
  }
}

/** The connections of the ledger writer to `db`, and the advisory locks granted there. */
async function heldByWriter(db: TestDatabase): Promise<{ connections: number; locks: number }> {
  const { rows } = await db.ownerPool().query<{ connections: number; locks: number }>(
    `SELECT (SELECT count(*)::int FROM pg_stat_activity
              WHERE datname = $1 AND application_name = 'workgate-ledger-writer') AS connections,
            (SELECT count(*)::int FROM pg_locks l JOIN pg_database d ON d.oid = l.database
              WHERE d.datname = $1 AND l.locktype = 'advisory' AND l.granted) AS locks`,
    [db.name],
  );
  return rows[0];
}
