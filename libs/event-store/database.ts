import type { DataSource } from 'typeorm';
import { MIGRATIONS } from './migrations';
import { createClient, databaseName, pinToServer, withDatabase, withDefaultUser } from './pg';

/** Creates the database named in the URL when it does not exist yet. */
export async function ensureDatabase(connectionString: string): Promise<boolean> {
  const name = databaseName(connectionString);
  const admin = createClient(withDatabase(connectionString, 'postgres'));
  await admin.connect();
  try {
    const { rowCount } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (rowCount) return false;
    try {
      await admin.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`);
    } catch (error) {
      // Two processes starting at once: the other one created it.
      if ((error as { code?: string }).code !== '42P04') throw error;
    }
    return true;
  } finally {
    await admin.end();
  }
}

/** The migrations' data source (TypeORM is loaded here, on first use: the services never need it). */
export async function migrationDataSource(connectionString: string): Promise<DataSource> {
  const { DataSource } = await import('typeorm');
  return new DataSource({
    type: 'postgres',
    url: withDefaultUser(connectionString),
    migrations: MIGRATIONS,
    migrationsTableName: 'workgate_migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    logging: false,
  });
}

/** The advisory lock every starter takes, in the cluster's `postgres` database, while it migrates. */
export const MIGRATION_LOCK_KEY = 7243001;
/** How long a starter waits for another one's migrations before it gives up. */
const MIGRATION_LOCK_WAIT = '120s';

/**
 * Runs pending migrations; returns the names of those applied now.
 *
 * Starters take turns across the whole cluster, not per database: the service roles are the
 * cluster's (`CREATE ROLE`, `ALTER ROLE` on one catalog row), so two processes migrating two
 * databases of one cluster at the same moment would otherwise collide (`tuple concurrently
 * updated`). An advisory lock's reach is its database, so the lock is held in `postgres`, the
 * database every cluster has and `ensureDatabase` already uses; Postgres drops it with the session
 * when a starter dies. One that has waited MIGRATION_LOCK_WAIT says so and fails. A host list is
 * narrowed first to the server it reaches now, so the lock and the migrations are on one server.
 */
export async function migrate(databaseUrl: string): Promise<string[]> {
  const connectionString = await pinToServer(databaseUrl);
  const lock = createClient(withDatabase(withDefaultUser(connectionString), 'postgres'));
  await lock.connect();
  try {
    await lock.query(`SET lock_timeout = '${MIGRATION_LOCK_WAIT}'`);
    await lock.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]).catch((error: { code?: string }) => {
      if (error.code !== '55P03') throw error;
      throw new Error(
        `another workgate has been migrating a database of this Postgres cluster for ${MIGRATION_LOCK_WAIT}: waited for it to finish, in vain`,
      );
    });
    const dataSource = await migrationDataSource(connectionString);
    await dataSource.initialize();
    try {
      const applied = await dataSource.runMigrations({ transaction: 'each' });
      return applied.map((m) => m.name);
    } finally {
      await dataSource.destroy();
    }
  } finally {
    // Ending the session releases the lock.
    await lock.end().catch(() => undefined);
  }
}
