import { readFileSync } from 'node:fs';
import { loadConfigOrExit } from '@workgate/config';
import { isSignedCheckpoint, parseJsonAs, SignedCheckpoint } from '@workgate/contracts';
import { errorMessage } from '@workgate/messaging';
import {
  commitVerifierOfNoteKey,
  createPool,
  lastSignedCheckpointSize,
  loadSigningKey,
  openNote,
  parseCheckpoint,
  signerFromKey,
  storedCheckpoints,
  verifyAgainstCheckpoint,
  verifyAgainstNote,
  verifyCheckpointSignature,
  verifyLedger,
} from '@workgate/event-store';
import { checkpointFiles, lastKeptCheckpoint } from '../apps/ledger/checkpoint-history';

/**
 * `npm run verify [-- --checkpoint <file> [--key <verifier key>]]`: walk the ledger's hash chain and
 * say whether it holds; with a kept checkpoint (the JSON of GET /v1/ledger/checkpoint, or its signed
 * note), also check that the ledger is consistent with it: the Merkle root of its first events,
 * computed from the events themselves, is the one signed (a truncated or rewritten history fails).
 * Either way the Merkle root recomputed from the rows must be the root of every checkpoint in
 * `ledger_checkpoints` and of the last one the writer kept in WORKGATE_DATA_DIR's checkpoints file
 * (each signed with the key), every commit signature found must verify over its row's hash, every
 * event past the last checkpoint signed with the key (the kept one, or a later one in
 * `ledger_checkpoints` or the file) must be covered by one, and no position signed may be gone: the first
 * position that fails is named. Exit 0 when everything holds, 1 when not.
 */
async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const at = process.argv.indexOf('--checkpoint');
  const keyAt = process.argv.indexOf('--key');
  // The verifier key of the ledger's own signing key, unless one is given.
  const key =
    keyAt >= 0
      ? process.argv[keyAt + 1]
      : signerFromKey(
          loadSigningKey(config.WORKGATE_SIGNING_KEY, config.WORKGATE_DATA_DIR),
          config.WORKGATE_LEDGER_ORIGIN,
        ).verifierKey;
  const verifyCommit = commitVerifierOfNoteKey(key);
  if (!verifyCommit) throw new Error('--key is not a verifier key (<name>+<key hash>+<base64 Ed25519 key>)');
  let checkpoint: SignedCheckpoint | undefined;
  let note: string | undefined;
  /** Events up to this many are vouched for by the kept checkpoint. */
  let kept = 0;
  if (at >= 0) {
    const file = process.argv[at + 1];
    if (!file) throw new Error('--checkpoint needs a file');
    const text = readFileSync(file, 'utf8');
    // A JSON checkpoint (GET /v1/ledger/checkpoint), or its signed note alone (the text/plain answer, a line of the checkpoint log).
    if (text.trimStart().startsWith('{')) {
      checkpoint = parseJsonAs(text, isSignedCheckpoint, 'a signed checkpoint');
      note = checkpoint.note;
      if (!note && !verifyCheckpointSignature(checkpoint)) {
        process.stdout.write(`checkpoint ${file}: its signature does not verify\n`);
        process.exitCode = 1;
        return;
      }
    } else {
      note = text;
    }
    if (note) {
      const opened = openNote(note, key);
      const tree = opened.ok ? parseCheckpoint(opened.text) : undefined;
      if (!tree) {
        process.stdout.write(`checkpoint ${file}: ${opened.ok ? 'not a checkpoint' : opened.reason}\n`);
        process.exitCode = 1;
        return;
      }
      process.stdout.write(
        `checkpoint ${file}: signed by ${tree.origin}, ${tree.size} events, root ${tree.root.toString('base64')}\n`,
      );
      kept = tree.size;
    } else {
      process.stdout.write(
        `checkpoint ${file}: signed by key ${checkpoint!.keyId}, position ${checkpoint!.position}\n`,
      );
    }
  }
  // The writer's own copy of what it signed (docs/operations.md, Running a fleet): a ledger that lost
  // positions it covers (a truncation, a standby promoted without them) fails against it.
  const file = checkpointFiles(config.WORKGATE_DATA_DIR, config.DATABASE_URL).checkpoints;
  const inFile = lastKeptCheckpoint(file, key);
  if (inFile) process.stdout.write(`checkpoint kept in ${file}: ${inFile.size} events, signed ${inFile.signedAt}\n`);
  const keptRoots = inFile
    ? [
        {
          size: inFile.size,
          root: inFile.root,
          name: `the checkpoint of ${inFile.size} events kept in ${file}`,
          signed: true,
        },
      ]
    : [];
  const pool = createPool(config.DATABASE_URL, {
    role: config.WORKGATE_DB_ROLE || undefined,
    max: 1,
    applicationName: 'workgate-verify',
  });
  const started = Date.now();
  const tty = process.stderr.isTTY;
  try {
    const progress = {
      onProgress: (checked: number) => {
        if (tty) process.stderr.write(`\rchecked ${checked.toLocaleString('en-US')} events…`);
      },
    };
    const options = {
      ...progress,
      signatures: {
        from: Math.max(kept, inFile?.size ?? 0, await lastSignedCheckpointSize(pool, key)),
        verify: verifyCommit,
      },
      roots: [...(await storedCheckpoints(pool, key)), ...keptRoots],
    };
    const result = note
      ? await verifyAgainstNote(pool, note, key, options)
      : checkpoint
        ? await verifyAgainstCheckpoint(pool, checkpoint, options)
        : await verifyLedger(pool, options);
    if (tty) process.stderr.write('\r\x1b[K');
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    if (result.ok) {
      process.stdout.write(`ledger OK: ${result.checked.toLocaleString('en-US')} events checked in ${seconds}s\n`);
      process.stdout.write(`head: position ${result.headPosition}, hash ${result.headHash}\n`);
    } else {
      process.stdout.write(`ledger BROKEN at position ${result.firstBadPosition}: ${result.problem}\n`);
      process.stdout.write(
        `${result.checked.toLocaleString('en-US')} events before it verify; last good hash ${result.headHash}\n`,
      );
    }
    process.stdout.write(`${JSON.stringify(result)}\n`);
    process.exitCode = result.ok ? 0 : 1;
  } finally {
    await pool.end();
  }
}

main().catch((error) => {
  process.stderr.write(`verify failed: ${errorMessage(error)}\n`);
  process.exit(2);
});
