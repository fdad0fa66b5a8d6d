import { readFileSync } from 'node:fs';
import { Receipt } from '@workgate/contracts';
import {
  canonicalEventJson,
  chainHash,
  leafHash,
  openNote,
  parseCheckpoint,
  verifyInclusion,
} from '@workgate/event-store';

/**
 * `npm run verify-receipt -- <receipt.json> --key <verifier key>`: checks a receipt offline, with no
 * database and no network: the checkpoint's signed note against the verifier key (GET
 * /v1/ledger/key), the inclusion proof of the receipt's leaf (its event's chain hash) against that
 * checkpoint's root, and, when the receipt carries its event (as ops leads get it), that the event
 * hashes to that leaf. Exit 0 when all of it holds, 1 when anything does not, 2 for bad arguments.
 */
function main(): number {
  const args = process.argv.slice(2);
  const keyAt = args.indexOf('--key');
  const key = keyAt >= 0 ? args[keyAt + 1] : undefined;
  const file = args.find((a, i) => !a.startsWith('--') && i !== keyAt + 1);
  if (!file || !key) {
    process.stderr.write('usage: npm run verify-receipt -- <receipt.json> --key <verifier key>\n');
    return 2;
  }
  let receipt: Receipt;
  try {
    receipt = JSON.parse(readFileSync(file, 'utf8')) as Receipt;
  } catch (error) {
    process.stderr.write(`cannot read ${file}: ${(error as Error).message}\n`);
    return 2;
  }
  const problems: string[] = [];
  const say = (line: string) => process.stdout.write(`${line}\n`);
  const proof = receipt.proof;
  if (!proof || !receipt.ledger) {
    say(
      `receipt ${receipt.receiptId ?? '?'}: no inclusion proof in it${receipt.proofUnavailable ? ` (${receipt.proofUnavailable})` : ''}`,
    );
    return 1;
  }
  const opened = openNote(proof.checkpoint, key);
  const checkpoint = opened.ok ? parseCheckpoint(opened.text) : undefined;
  if (!opened.ok) problems.push(`the checkpoint's signature: ${opened.reason}`);
  else if (!checkpoint) problems.push('the signed note is not a checkpoint');
  else
    say(
      `checkpoint: signed by ${checkpoint.origin}, ${checkpoint.size} events, root ${checkpoint.root.toString('base64')}`,
    );

  if (checkpoint) {
    if (proof.treeSize !== checkpoint.size)
      problems.push(`the proof is for a tree of ${proof.treeSize}, the checkpoint has ${checkpoint.size}`);
    if (proof.leafIndex !== receipt.ledger.position - 1)
      problems.push(
        `the proof is for leaf ${proof.leafIndex}, the receipt's event is at position ${receipt.ledger.position}`,
      );
    const included = verifyInclusion(
      proof.leafIndex,
      checkpoint.size,
      leafHash(receipt.ledger.hash),
      proof.inclusion.map((h) => Buffer.from(h, 'base64')),
      checkpoint.root,
    );
    if (included)
      say(
        `inclusion: the event at position ${receipt.ledger.position} (chain hash ${receipt.ledger.hash}) is in that tree`,
      );
    else problems.push("the inclusion proof does not lead from the receipt's leaf to the checkpoint's root");
  }

  if (receipt.event) {
    const e = receipt.event;
    if (e.eventId !== receipt.receiptId || e.position !== receipt.ledger.position)
      problems.push("the event in the receipt is not the receipt's event");
    else if (
      e.prevHash !== receipt.ledger.prevHash ||
      chainHash(e.prevHash, canonicalEventJson(e)) !== receipt.ledger.hash
    )
      problems.push(
        "the event does not hash to the receipt's chain hash: its content differs from what the ledger recorded",
      );
    else say(`event: ${e.type} on ${e.streamId} hashes to the receipt's chain hash`);
  } else {
    say('event: not in the receipt (ops leads get it); the leaf is checked, its content is not');
  }

  for (const p of problems) say(`NOT VERIFIED: ${p}`);
  if (!problems.length) say(`receipt ${receipt.receiptId}: verified`);
  return problems.length ? 1 : 0;
}

process.exitCode = main();
