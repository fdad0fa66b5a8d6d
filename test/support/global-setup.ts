// Global setup runs outside jest's module mapper: resolve @workgate/* through tsconfig paths.
import 'tsconfig-paths/register';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { connect } from 'nats';
import { Client } from 'pg';
import { migrate, withDatabase } from '../../libs/event-store';
import { TEST_NATS_URL, TEST_PG_URL } from './env';
import { messageOf } from './guards';

/**
 * Once per `jest` run: check Postgres and NATS answer, and build a migrated template
 * database that every test file clones (CREATE DATABASE ... TEMPLATE is fast).
 */
export default async function globalSetup(): Promise<void> {
  // Each project that needs the real services names this setup; the first one does the work.
  if (process.env.WORKGATE_TEST_TEMPLATE) return;
  // Process-level tests run the built services: make sure dist/ matches the tree.
  execFileSync(process.execPath, [join(__dirname, '..', '..', 'scripts', 'ensure-build.js')], { stdio: 'inherit' });
  const admin = new Client({ connectionString: TEST_PG_URL });
  try {
    await admin.connect();
  } catch (error) {
    throw new Error(`tests need Postgres at ${TEST_PG_URL}: ${messageOf(error)}`);
  }
  try {
    const nc = await connect({ servers: TEST_NATS_URL.split(','), timeout: 3000 });
    await nc.close();
  } catch (error) {
    throw new Error(`tests need NATS with JetStream at ${TEST_NATS_URL}: ${messageOf(error)}`);
  }
  const template = `wg_tpl_${process.pid}`;
  await admin.query(`DROP DATABASE IF EXISTS ${template}`);
  await admin.query(`CREATE DATABASE ${template}`);
  await admin.end();
  await migrate(withDatabase(TEST_PG_URL, template));
  process.env.WORKGATE_TEST_TEMPLATE = template;
}
