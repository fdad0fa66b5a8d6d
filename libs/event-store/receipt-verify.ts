import type { InclusionProof, Receipt, RecordedEvent } from '@workgate/contracts';
import { canonicalEventJson, chainHash } from './hash';
import { leafHash, verifyInclusion } from './merkle';
import { Checkpoint, openNote, parseCheckpoint } from './signed-note';

/** What an offline check says: the lines to show, in order, and what does not hold (none: verified). */
export interface Verdict {
  lines: string[];
  problems: string[];
}

/** A JSON object (not an array). */
export const isRecord = (x: unknown): x is Record<string, unknown> =>
  typeof x === 'object' && x !== null && !Array.isArray(x);
const isInt = (x: unknown): x is number => Number.isSafeInteger(x);
const isText = (x: unknown): x is string => typeof x === 'string';

/** Is `x` shaped as a receipt (what the checks read of it: its id, kind, policy, evidence and ledger place)? */
export function isReceipt(x: unknown): x is Receipt {
  return (
    isRecord(x) &&
    isText(x.receiptId) &&
    isText(x.kind) &&
    isRecord(x.policy) &&
    isText(x.policy.sha256) &&
    Array.isArray(x.evidence) &&
    isRecord(x.ledger) &&
    isInt(x.ledger.position) &&
    isText(x.ledger.hash) &&
    isText(x.ledger.prevHash) &&
    (x.proof === undefined || isInclusionProof(x.proof)) &&
    (x.event === undefined || isRecordedEvent(x.event))
  );
}

export function isInclusionProof(x: unknown): x is InclusionProof {
  return (
    isRecord(x) &&
    isInt(x.leafIndex) &&
    isInt(x.treeSize) &&
    Array.isArray(x.inclusion) &&
    x.inclusion.every(isText) &&
    isText(x.checkpoint)
  );
}

export function isRecordedEvent(x: unknown): x is RecordedEvent {
  return (
    isRecord(x) &&
    isInt(x.position) &&
    isInt(x.streamVersion) &&
    [x.streamId, x.eventId, x.type, x.occurredAt, x.recordedAt, x.prevHash, x.hash].every(isText) &&
    isRecord(x.data) &&
    isRecord(x.metadata)
  );
}

/** A signed checkpoint opened with the verifier key, or why it is not one. */
export function openCheckpoint(note: string, key: string): { checkpoint: Checkpoint } | { problem: string } {
  const opened = openNote(note, key);
  if (!opened.ok) return { problem: `the checkpoint's signature: ${opened.reason}` };
  const checkpoint = parseCheckpoint(opened.text);
  return checkpoint ? { checkpoint } : { problem: 'the signed note is not a checkpoint' };
}

/**
 * A receipt's leaf against a trusted checkpoint: its proof is for that tree and its event's leaf,
 * and the inclusion proof leads from its leaf (its event's chain hash) to the checkpoint's root.
 */
export function checkInclusion(
  receipt: Receipt,
  proof: InclusionProof,
  checkpoint: Checkpoint,
): { problems: string[]; included: boolean } {
  const problems: string[] = [];
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
  if (!included) problems.push("the inclusion proof does not lead from the receipt's leaf to the checkpoint's root");
  return { problems, included };
}

/** The receipt's event, when it carries it, is its event and hashes to its chain hash; undefined when that holds or it has none. */
export function eventProblem(receipt: Receipt): string | undefined {
  const e = receipt.event;
  if (!e) return undefined;
  if (e.eventId !== receipt.receiptId || e.position !== receipt.ledger.position)
    return "the event in the receipt is not the receipt's event";
  if (e.hash !== receipt.ledger.hash) return "the event's chain hash is not the receipt's";
  if (e.prevHash !== receipt.ledger.prevHash || chainHash(e.prevHash, canonicalEventJson(e)) !== receipt.ledger.hash)
    return "the event does not hash to the receipt's chain hash: its content differs from what the ledger recorded";
  return undefined;
}

/**
 * One receipt checked offline (`npm run verify-receipt -- <receipt.json>`): its checkpoint's signed
 * note against the verifier key, its inclusion proof, and its event when it carries it.
 */
export function verifyReceipt(receipt: Receipt, key: string): Verdict {
  const lines: string[] = [];
  const proof = receipt.proof;
  if (!proof) {
    const why = receipt.proofUnavailable ? ` (${receipt.proofUnavailable})` : '';
    return {
      lines: [`receipt ${receipt.receiptId}: no inclusion proof in it${why}`],
      problems: ['no inclusion proof'],
    };
  }
  const problems: string[] = [];
  const opened = openCheckpoint(proof.checkpoint, key);
  if ('problem' in opened) problems.push(opened.problem);
  else {
    const { checkpoint } = opened;
    lines.push(
      `checkpoint: signed by ${checkpoint.origin}, ${checkpoint.size} events, root ${checkpoint.root.toString('base64')}`,
    );
    const checked = checkInclusion(receipt, proof, checkpoint);
    problems.push(...checked.problems);
    if (checked.included)
      lines.push(
        `inclusion: the event at position ${receipt.ledger.position} (chain hash ${receipt.ledger.hash}) is in that tree`,
      );
  }
  const e = receipt.event;
  const differs = eventProblem(receipt);
  if (differs) problems.push(differs);
  else if (e) lines.push(`event: ${e.type} on ${e.streamId} hashes to the receipt's chain hash`);
  else lines.push('event: not in the receipt (ops leads get it); the leaf is checked, its content is not');
  for (const p of problems) lines.push(`NOT VERIFIED: ${p}`);
  if (!problems.length) lines.push(`receipt ${receipt.receiptId}: verified`);
  return { lines, problems };
}
