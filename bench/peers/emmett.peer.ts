/**
 * Benchmark peer: Emmett's PostgreSQL event store (@event-driven-io/emmett-postgresql 0.42).
 *
 * Notes on how this adapter maps onto Emmett:
 * - Pool: Emmett/dumbo's own pool is a process-wide cached `pg.Pool` keyed by connection
 *   string, created with no `max` (so pg's default of 10). The only way to size it is to hand
 *   Emmett our own `pg.Pool` via `connectionOptions.pool`. Emmett then treats that pool as
 *   "ambient": `eventStore.close()` does NOT end it, so `close()` here ends it itself.
 * - Schema: Emmett auto-migrates lazily (autoMigration 'CreateOrUpdate' is the default) on
 *   the first append/read. We call `eventStore.schema.migrate()` up front so that schema
 *   creation is never part of a timed append. It is idempotent (migrations are hashed and
 *   recorded, and run under an advisory lock).
 * - 'no_stream': Emmett's `STREAM_DOES_NOT_EXIST` marker is NOT enforced by the PostgreSQL
 *   store in 0.42 (it is translated to "no check": the SQL function then reads the current
 *   position and appends after it, so a second "new stream" append to an existing stream
 *   succeeds). Expected version `0n` (exported by Emmett as
 *   `PostgreSQLEventStoreDefaultStreamVersion`) is the value that really means "the stream
 *   must not exist yet": it makes Emmett INSERT the stream row, and a duplicate gives a
 *   unique violation that Emmett reports as `ExpectedVersionConflictError`.
 *   So 'no_stream' is mapped to `0n` here.
 * - Side effect: loading Emmett's pool code sets process-global `pg` type parsers
 *   (int8 -> BigInt, json/jsonb -> Emmett's JSON parser) on the shared `pg` module.
 */
import { Pool } from 'pg';
import {
  getPostgreSQLEventStore,
  PostgreSQLEventStoreDefaultStreamVersion,
  type PostgresEventStore,
} from '@event-driven-io/emmett-postgresql';

export interface EmmettPeer {
  /** append ONE event to streamId, with an expected stream version (Emmett's expectedStreamVersion; for a new stream use Emmett's "no stream" marker). Resolves once durably committed. */
  append(
    streamId: string,
    event: { type: string; data: Record<string, unknown> },
    expectedVersion: bigint | 'no_stream',
  ): Promise<void>;
  close(): Promise<void>;
}

const DEFAULT_POOL_SIZE = 16;

export async function createEmmettPeer(connectionString: string, opts?: { poolSize?: number }): Promise<EmmettPeer> {
  const pool = new Pool({
    connectionString,
    max: opts?.poolSize ?? DEFAULT_POOL_SIZE,
  });

  let store: PostgresEventStore;
  try {
    store = getPostgreSQLEventStore(connectionString, {
      schema: { autoMigration: 'CreateOrUpdate' },
      connectionOptions: { pool },
    });
    await store.schema.migrate();
  } catch (err) {
    await pool.end().catch(() => undefined);
    throw err;
  }

  let closed: Promise<void> | undefined;

  return {
    async append(streamId, event, expectedVersion) {
      await store.appendToStream(streamId, [{ type: event.type, data: event.data }], {
        expectedStreamVersion:
          expectedVersion === 'no_stream' ? PostgreSQLEventStoreDefaultStreamVersion : expectedVersion,
      });
    },
    close() {
      closed ??= (async () => {
        try {
          await store.close();
        } finally {
          await pool.end();
        }
      })();
      return closed;
    },
  };
}
