import { readFileSync } from 'node:fs';
import { isProofPackage, isReceipt, Verdict, verifyReceipt } from '@workgate/event-store';
import { verifyProofPackage } from './verify-package';

/**
 * `npm run verify-receipt -- <receipt.json | proof.json> --key <verifier key>`: checks a receipt or
 * a work order's proof package offline, with no database and no network, against the verifier key
 * (GET /v1/ledger/key). A receipt: the checkpoint's signed note, the inclusion proof of its leaf
 * (its event's chain hash) against that checkpoint's root and, when it carries its event (as ops
 * leads get it), that the event hashes to that leaf. A package (GET /v1/work-orders/:id/proof):
 * its checkpoint, every receipt's inclusion proof against that one checkpoint; in the ops-lead
 * package each receipt's event and fields, that the receipts are the work order's whole stream and
 * that its definition is the policy its WorkOrderOpened event records; the boundary and map
 * re-derived from the definition; the parts its issuance record (ProofPackageIssued) holds the
 * sha256 of, which bind the public package's receipts and parts; its verifier key is the key given
 * (docs/ledger.md, "The proof package"). A part nothing signed binds is named NOT BOUND. Exit 0
 * when all it checks holds, 1 when anything does not (the first failure named), 2 for bad arguments
 * or an unreadable file.
 */
function main(): number {
  const args = process.argv.slice(2);
  const keyAt = args.indexOf('--key');
  const key = keyAt >= 0 ? args[keyAt + 1] : undefined;
  const file = args.find((a, i) => !a.startsWith('--') && i !== keyAt + 1);
  if (!file || !key) {
    process.stderr.write('usage: npm run verify-receipt -- <receipt.json | proof.json> --key <verifier key>\n');
    return 2;
  }
  let document: unknown;
  try {
    document = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    process.stderr.write(`cannot read ${file}: ${error instanceof Error ? error.message : String(error)}\n`);
    return 2;
  }
  let verdict: Verdict;
  if (isProofPackage(document)) verdict = verifyProofPackage(document, key);
  else if (isReceipt(document)) verdict = verifyReceipt(document, key);
  else {
    process.stderr.write(`${file} is neither a receipt nor a proof package\n`);
    return 2;
  }
  for (const line of verdict.lines) process.stdout.write(`${line}\n`);
  return verdict.problems.length ? 1 : 0;
}

process.exitCode = main();
