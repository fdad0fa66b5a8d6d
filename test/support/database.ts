import { randomBytes } from 'node:crypto';
import { Client, Pool } from 'pg';
import { createPool, withDatabase } from '../../libs/event-store';
import { TEST_PG_URL } from './env';

export interface TestDatabase {
  name: string;
  /** URL as the database owner (a superuser here: migrations, tampering). */
  url: string;
  /** A pool logged in as the services' role (reads the ledger and the views). */
  appPool(): Pool;
  /** A pool logged in as the projections' role (writes the views). */
  viewsPool(): Pool;
  /** A pool as the owner. */
  ownerPool(): Pool;
  drop(): Promise<void>;
}

/** The login roles of the services, as rebuilds grant them the rebuilt views. */
export const SERVICE_ROLES = { views: 'workgate_views', readers: ['workgate_app', 'workgate_ledger'] };

/** A fresh, migrated database for one test file, cloned from the run's template. */
export async function freshDatabase(): Promise<TestDatabase> {
  const name = `wg_t_${process.pid}_${randomBytes(4).toString('hex')}`;
  await cloneTemplate(name);
  return databaseNamed(name);
}

/** CREATE DATABASE `name` as a copy of the run's migrated template. */
export async function cloneTemplate(name: string): Promise<void> {
  const template = process.env.WORKGATE_TEST_TEMPLATE;
  if (!template) throw new Error('the jest global setup did not prepare a template database');
  const admin = new Client({ connectionString: TEST_PG_URL });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name} TEMPLATE ${template}`);
  } finally {
    await admin.end();
  }
}

/** DROP DATABASE `name`, closing whatever is still connected to it. */
export async function dropDatabase(name: string): Promise<void> {
  const c = new Client({ connectionString: TEST_PG_URL });
  await c.connect();
  try {
    await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  } finally {
    await c.end();
  }
}

/** Pools on the existing database `name`; drop() closes them and drops the database. */
export function databaseNamed(name: string): TestDatabase & {
  /** Ends the pools made so far (the database stays). */
  closePools(): Promise<void>;
} {
  const url = withDatabase(TEST_PG_URL, name);
  // One small pool each, made on first use and closed by drop() (or closePools()).
  let app: Pool | undefined;
  let views: Pool | undefined;
  let owner: Pool | undefined;
  const closePools = async () => {
    await Promise.all([app, views, owner].flatMap((p) => (p ? [p.end().catch(() => undefined)] : [])));
    app = views = owner = undefined;
  };
  return {
    name,
    url,
    appPool: () => (app ??= createPool(url, { role: 'workgate_app', max: 4 })),
    viewsPool: () => (views ??= createPool(url, { role: 'workgate_views', max: 4 })),
    ownerPool: () => (owner ??= createPool(url, { max: 4 })),
    closePools,
    drop: async () => {
      await closePools();
      await dropDatabase(name);
    },
  };
}
