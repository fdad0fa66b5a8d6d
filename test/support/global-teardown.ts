// Global teardown runs outside jest's module mapper: resolve @workgate/* through tsconfig paths.
import 'tsconfig-paths/register';
import { Client } from 'pg';
import { TEST_PG_URL } from './env';
import { stopSharedWorkgates } from './shared-workgate';

export default async function globalTeardown(): Promise<void> {
  const template = process.env.WORKGATE_TEST_TEMPLATE;
  if (!template) return;
  delete process.env.WORKGATE_TEST_TEMPLATE; // each project that named the setup names this teardown too
  // The shared workgates of the run (test/support/shared-workgate.ts), a dead worker's included;
  // fails the run when a stream of one of their ledgers had no ONE named writer, after the cleanup.
  try {
    await stopSharedWorkgates(template);
  } finally {
    const admin = new Client({ connectionString: TEST_PG_URL });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${template} WITH (FORCE)`);
    await admin.end();
  }
}
