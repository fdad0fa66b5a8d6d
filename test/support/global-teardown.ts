// Global teardown runs outside jest's module mapper: resolve @workgate/* through tsconfig paths.
import 'tsconfig-paths/register';
import { Client } from 'pg';
import { TEST_PG_URL } from './env';
import { stopSharedWorkgates } from './shared-workgate';

/** What test/support/worker-chromium.js exports to the teardown. */
interface WorkerChromium {
  closeWorkerChromium(this: void): Promise<void>;
}

export default async function globalTeardown(): Promise<void> {
  // In a run in band the files ran in this process: close the Chromium they shared, if they launched
  // one (loaded by Node's require, so it is in Node's module cache), or this process would not exit.
  const chromium: { exports: WorkerChromium } | undefined = require.cache[require.resolve('./worker-chromium.js')];
  await chromium?.exports.closeWorkerChromium();
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
