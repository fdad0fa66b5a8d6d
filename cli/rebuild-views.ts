import { dbRoles, loadConfigOrExit } from '@workgate/config';
import { createPool, rebuildProjection } from '@workgate/event-store';
import { timersProjection } from '../apps/ledger/views/timers.projection';
import { viewsProjection } from '../apps/ledger/views/views.projection';

/**
 * `npm run views:rebuild`: replays the ledger from position 0 into fresh view tables, compares
 * them row by row with the live ones at the same position, and swaps them in. Safe while
 * workgate runs (the live projection waits for the swap). Events set aside because they could not
 * be folded are folded again; those that still cannot be are listed and stay set aside. Connects
 * as the database owner (the swap renames tables), not as the application role.
 */
async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const pool = createPool(config.DATABASE_URL, { max: 2, applicationName: 'workgate-rebuild-views' });
  const tty = process.stderr.isTTY;
  let differ = false;
  let parked = 0;
  try {
    for (const projection of [viewsProjection, timersProjection]) {
      const started = Date.now();
      const result = await rebuildProjection(pool, projection, {
        roles: {
          views: dbRoles(config).views,
          readers: [dbRoles(config).app, dbRoles(config).ledger].filter((r): r is string => !!r),
        },
        onProgress: (position) =>
          tty &&
          process.stderr.write(`\r${projection.name}: replayed to position ${position.toLocaleString('en-US')}…`),
      });
      if (tty) process.stderr.write('\r\x1b[K');
      const seconds = (Date.now() - started) / 1000;
      const changed = Object.entries(result.differences).filter(([, n]) => n > 0);
      differ ||= changed.length > 0;
      process.stdout.write(
        `${projection.name}: ${result.events.toLocaleString('en-US')} events to position ${result.position.toLocaleString('en-US')} in ${seconds.toFixed(1)}s; ` +
          (changed.length
            ? `rebuilt tables differed from the live ones (${changed.map(([t, n]) => `${t}: ${n} rows`).join(', ')}) and replaced them`
            : 'equal to the live tables') +
          '\n',
      );
      for (const e of result.parked)
        process.stdout.write(
          `${projection.name}: still cannot fold ${e.eventType} at position ${e.position} (${e.error}); set aside\n`,
        );
      parked += result.parked.length;
    }
  } finally {
    await pool.end();
  }
  // 3: the live views differed and were replaced; 4: some events still cannot be folded.
  process.exitCode = parked ? 4 : differ ? 3 : 0;
}

main().catch((error: Error) => {
  process.stderr.write(`views:rebuild failed: ${error.message}\n`);
  process.exit(1);
});
