import { loadConfigOrExit } from '@workgate/config';
import { createPool, verifyLedger } from '@workgate/event-store';

/** `npm run verify`: walk the ledger's hash chain and say whether it holds. Exit 0 when it does, 1 when not. */
async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const pool = createPool(config.DATABASE_URL, { role: config.WORKGATE_DB_ROLE || undefined, max: 1, applicationName: 'workgate-verify' });
  const started = Date.now();
  const tty = process.stderr.isTTY;
  try {
    const result = await verifyLedger(pool, {
      onProgress: (checked) => {
        if (tty) process.stderr.write(`\rchecked ${checked.toLocaleString('en-US')} events…`);
      },
    });
    if (tty) process.stderr.write('\r\x1b[K');
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    if (result.ok) {
      process.stdout.write(`ledger OK: ${result.checked.toLocaleString('en-US')} events checked in ${seconds}s\n`);
      process.stdout.write(`head: position ${result.headPosition}, hash ${result.headHash}\n`);
    } else {
      process.stdout.write(`ledger BROKEN at position ${result.firstBadPosition}: ${result.problem}\n`);
      process.stdout.write(`${result.checked.toLocaleString('en-US')} events before it verify; last good hash ${result.headHash}\n`);
    }
    process.stdout.write(`${JSON.stringify(result)}\n`);
    process.exitCode = result.ok ? 0 : 1;
  } finally {
    await pool.end();
  }
}

main().catch((error) => {
  process.stderr.write(`verify failed: ${(error as Error).message}\n`);
  process.exit(2);
});
