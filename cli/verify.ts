import { readFileSync } from 'node:fs';
import { loadConfigOrExit } from '@workgate/config';
import { SignedCheckpoint } from '@workgate/contracts';
import { createPool, verifyAgainstCheckpoint, verifyCheckpointSignature, verifyLedger } from '@workgate/event-store';

/**
 * `npm run verify [-- --checkpoint <file>]`: walk the ledger's hash chain and say whether it holds;
 * with a kept signed checkpoint (GET /v1/ledger/checkpoint), also check that the ledger still holds
 * it (a truncated or rewritten tail). Exit 0 when everything holds, 1 when not.
 */
async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const at = process.argv.indexOf('--checkpoint');
  let checkpoint: SignedCheckpoint | undefined;
  if (at >= 0) {
    const file = process.argv[at + 1];
    if (!file) throw new Error('--checkpoint needs a file');
    checkpoint = JSON.parse(readFileSync(file, 'utf8')) as SignedCheckpoint;
    if (!verifyCheckpointSignature(checkpoint)) {
      process.stdout.write(`checkpoint ${file}: its signature does not verify\n`);
      process.exitCode = 1;
      return;
    }
    process.stdout.write(`checkpoint ${file}: signed by key ${checkpoint.keyId}, position ${checkpoint.position}\n`);
  }
  const pool = createPool(config.DATABASE_URL, { role: config.WORKGATE_DB_ROLE || undefined, max: 1, applicationName: 'workgate-verify' });
  const started = Date.now();
  const tty = process.stderr.isTTY;
  try {
    const progress = {
      onProgress: (checked: number) => {
        if (tty) process.stderr.write(`\rchecked ${checked.toLocaleString('en-US')} events…`);
      },
    };
    const result = checkpoint ? await verifyAgainstCheckpoint(pool, checkpoint, progress) : await verifyLedger(pool, progress);
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
