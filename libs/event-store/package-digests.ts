import { hash } from 'node:crypto';
import { canonicalize, type ProofAudience, type ProofPackageIssuedData } from '@workgate/contracts';
import { isRecord } from './receipt-verify';

/** The parts an issuance record holds the sha256 of, by audience (the ops lead's other parts are bound by their events). */
export const ISSUED_PARTS: Record<ProofAudience, string[]> = {
  public: ['workOrder', 'delivery.json', 'definition', 'map', 'boundary'],
  'ops-lead': ['definition', 'map', 'boundary'],
};

const sha256 = (text: string) => hash('sha256', text);

/** A part of a package by its name (`delivery.json` is `delivery.json`). */
export function partOf(pkg: Record<string, unknown>, part: string): unknown {
  if (part === 'delivery.json') return isRecord(pkg.delivery) ? pkg.delivery.json : undefined;
  return pkg[part];
}

/** The sha256 of a part as an issuance record holds it: of the definition's text, of anything else its RFC 8785 JSON. */
export function partDigest(pkg: Record<string, unknown>, part: string): string {
  const value = partOf(pkg, part);
  return part === 'definition' && typeof value === 'string' ? sha256(value) : sha256(canonicalize(value ?? null));
}

/** The sha256 of a receipt as an issuance record holds it: its RFC 8785 JSON without its inclusion proof (which the checkpoint binds). */
export function receiptDigest(receipt: unknown): string {
  if (!isRecord(receipt)) return sha256(canonicalize(receipt ?? null));
  const { proof: _proof, ...fields } = receipt;
  return sha256(canonicalize(fields));
}

/**
 * What the ledger records when a package is issued (`ProofPackageIssued`): the sha256 of each part
 * of it as issued (the receipts' proofs, the checkpoint and the verifier key aside, which are bound
 * by signature). A hash of the public package's parts reveals nothing private: those parts are the
 * masked, private-free values any caller may read in full, and a hash is a function of them alone.
 */
export function issuedDigests(
  pkg: Record<string, unknown>,
  workOrderId: string,
  audience: ProofAudience,
): ProofPackageIssuedData {
  const receipts: unknown[] = Array.isArray(pkg.receipts) ? pkg.receipts : [];
  return {
    workOrderId,
    audience,
    parts: Object.fromEntries(ISSUED_PARTS[audience].map((part) => [part, partDigest(pkg, part)])),
    receipts:
      audience === 'public'
        ? receipts.map((r) => ({
            receiptId: isRecord(r) && typeof r.receiptId === 'string' ? r.receiptId : '',
            sha256: receiptDigest(r),
          }))
        : [],
  };
}
