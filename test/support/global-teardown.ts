import { Client } from 'pg';
import { TEST_PG_URL } from './env';

export default async function globalTeardown(): Promise<void> {
  const template = process.env.WORKGATE_TEST_TEMPLATE;
  if (!template) return;
  delete process.env.WORKGATE_TEST_TEMPLATE; // each project that named the setup names this teardown too
  const admin = new Client({ connectionString: TEST_PG_URL });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${template} WITH (FORCE)`);
  await admin.end();
}
