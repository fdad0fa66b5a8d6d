import { loadConfigOrExit } from '@workgate/config';
import { ensureDatabase, migrate } from '@workgate/event-store';

/** `node dist/apps/ledger/migrate.js`: create the database if missing and apply pending migrations. */
async function main(): Promise<void> {
  const config = loadConfigOrExit();
  if (await ensureDatabase(config.DATABASE_URL)) process.stdout.write('created the database\n');
  const applied = await migrate(config.DATABASE_URL);
  process.stdout.write(applied.length ? `applied migrations: ${applied.join(', ')}\n` : 'migrations: up to date\n');
}

main().catch((error) => {
  process.stderr.write(`migrate failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
