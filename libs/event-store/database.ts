import { DataSource } from 'typeorm';
import { MIGRATIONS } from './migrations';
import { createClient, databaseName, withDatabase, withDefaultUser } from './pg';

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

export function migrationDataSource(connectionString: string): DataSource {
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

/** Runs pending migrations; returns the names of those applied now. */
export async function migrate(connectionString: string): Promise<string[]> {
  const dataSource = migrationDataSource(connectionString);
  await dataSource.initialize();
  try {
    // Serialize concurrent starters: only one runs migrations at a time.
    const lock = dataSource.createQueryRunner();
    await lock.connect();
    try {
      await lock.query('SELECT pg_advisory_lock(7243001)');
      const applied = await dataSource.runMigrations({ transaction: 'each' });
      return applied.map((m) => m.name);
    } finally {
      await lock.query('SELECT pg_advisory_unlock(7243001)').catch(() => undefined);
      await lock.release();
    }
  } finally {
    await dataSource.destroy();
  }
}
