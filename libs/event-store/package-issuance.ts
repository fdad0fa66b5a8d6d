import type { ProofAudience, ProofPackageIssuedData } from '@workgate/contracts';
import { canonicalEventJson, chainHash } from './hash';
import { leafHash, verifyInclusion } from './merkle';
import { ISSUED_PARTS, partDigest, receiptDigest } from './package-digests';
import { isInclusionProof, isRecord, isRecordedEvent, Verdict } from './receipt-verify';
import type { Checkpoint } from './signed-note';

/** An issuance record that holds: what it records, and where the ledger recorded it. */
export interface Issued {
  data: ProofPackageIssuedData;
  position: number;
}

const isDigest = (x: unknown): x is string => typeof x === 'string' && /^[0-9a-f]{64}$/.test(x);

/** Whether the record's data is shaped as an issuance record of `audience`. */
function isIssuedData(
  data: Record<string, unknown>,
  audience: ProofAudience,
): data is Record<string, unknown> & ProofPackageIssuedData {
  const parts = data.parts;
  const receipts = data.receipts;
  if (!isRecord(parts) || !ISSUED_PARTS[audience].every((p) => isDigest(parts[p]))) return false;
  if (!Array.isArray(receipts) || !receipts.every((r) => isRecord(r) && isDigest(r.sha256))) return false;
  return true;
}

/** What does not hold of the package's issuance record, or what it records. */
function issuanceProblem(
  pkg: Record<string, unknown>,
  note: string,
  checkpoint: Checkpoint,
  workOrderId: unknown,
  audience: ProofAudience,
): string | Issued {
  const issuance = pkg.issuance;
  if (issuance === undefined) return 'the package carries no issuance record (its ProofPackageIssued event)';
  if (!isRecord(issuance) || !isRecordedEvent(issuance.event) || !isInclusionProof(issuance.proof))
    return 'it is not shaped as an event with its inclusion proof';
  const { event: e, proof } = issuance;
  if (proof.checkpoint !== note) return "its proof is against another checkpoint than the package's";
  if (proof.treeSize !== checkpoint.size)
    return `its proof is for a tree of ${proof.treeSize}, the checkpoint has ${checkpoint.size}`;
  if (proof.leafIndex !== e.position - 1)
    return `its proof is for leaf ${proof.leafIndex}, its event is at position ${e.position}`;
  const leaf = leafHash(e.hash);
  const path = proof.inclusion.map((h) => Buffer.from(h, 'base64'));
  if (!verifyInclusion(proof.leafIndex, checkpoint.size, leaf, path, checkpoint.root))
    return "the inclusion proof does not lead from its event's leaf to the checkpoint's root";
  if (chainHash(e.prevHash, canonicalEventJson(e)) !== e.hash)
    return 'its event does not hash to its chain hash: its content differs from what the ledger recorded';
  if (
    e.type !== 'ProofPackageIssued' ||
    e.streamId !== `proof-${String(workOrderId)}` ||
    e.data.workOrderId !== workOrderId
  )
    return `its event is not a ProofPackageIssued of work order ${String(workOrderId)}`;
  if (e.data.audience !== audience)
    return `it records the ${String(e.data.audience)} package, this is the ${audience} one`;
  return isIssuedData(e.data, audience)
    ? { data: e.data, position: e.position }
    : 'it does not record the sha256 of every part';
}

/**
 * The package's issuance record against the trusted checkpoint: its event (`ProofPackageIssued` on
 * `proof-<work order id>`, for this audience) hashes to its leaf and its inclusion proof leads to
 * the checkpoint's root. Then what it records binds the parts it names.
 */
export function checkIssuance(
  pkg: Record<string, unknown>,
  note: string,
  checkpoint: Checkpoint,
  workOrderId: unknown,
  audience: ProofAudience,
): Verdict & { issued?: Issued } {
  const found = issuanceProblem(pkg, note, checkpoint, workOrderId, audience);
  if (typeof found === 'string') return { lines: [], problems: [`issuance: ${found}`] };
  return {
    lines: [
      `issuance: the ${audience} package's ProofPackageIssued event, position ${found.position}: in the tree, hashes to its leaf`,
    ],
    problems: [],
    issued: found,
  };
}

/** Where the issuance record names it, a part hashes to what it records: a problem naming the part, or a line. */
export function partAgainstIssued(pkg: Record<string, unknown>, part: string, issued: Issued): Verdict {
  const want = issued.data.parts[part];
  const got = partDigest(pkg, part);
  const record = `the issuance record (position ${issued.position})`;
  return got === want
    ? { lines: [`${part}: sha256 ${got}, as ${record} records`], problems: [] }
    : { lines: [], problems: [`${part}: its sha256 ${got} is not the ${want} ${record} records`] };
}

/** The public package's receipts against the issuance record: the same receipts in the same order, each hashing to what it records. */
export function receiptsAgainstIssued(receipts: unknown[], issued: Issued): string[] {
  const listed = issued.data.receipts;
  const problems: string[] = [];
  const ids = receipts.map((r) => (isRecord(r) ? String(r.receiptId) : '?'));
  if (ids.join() !== listed.map((r) => r.receiptId).join())
    problems.push(
      `receipts: they are not the ${listed.length} receipt(s) the issuance record (position ${issued.position}) lists, in its order`,
    );
  for (const [i, r] of receipts.entries()) {
    const want = listed[i]?.sha256;
    if (want !== undefined && receiptDigest(r) !== want)
      problems.push(
        `receipt ${i + 1}/${receipts.length} ${ids[i]}: its sha256 is not the ${want} the issuance record (position ${issued.position}) records`,
      );
  }
  return problems;
}
