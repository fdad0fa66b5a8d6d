import { isProofPackage, isReceipt, verifyReceipt } from '@workgate/event-store';
import { verifyProofPackage } from '../../cli/verify-package';

/**
 * What `npm run verify-receipt` answers for a file holding `text`, computed in this process: the
 * same verifier (cli/verify-receipt.ts's dispatch, exit code and lines) without a node process to
 * start. Tests check each exit code and the output format through the command itself
 * (./verify-cli.ts) and the many tampered variants here.
 */
export function verifyInProcess(text: string, key: string): { code: number; out: string } {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    return { code: 2, out: '' };
  }
  const verdict = isProofPackage(document)
    ? verifyProofPackage(document, key)
    : isReceipt(document)
      ? verifyReceipt(document, key)
      : undefined;
  if (!verdict) return { code: 2, out: '' };
  return { code: verdict.problems.length ? 1 : 0, out: verdict.lines.map((l) => `${l}\n`).join('') };
}
