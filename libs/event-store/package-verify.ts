import { hash } from 'node:crypto';
import { canonicalize, type Receipt } from '@workgate/contracts';
import { checkInclusion, eventProblem, isReceipt, isRecord, openCheckpoint, Verdict } from './receipt-verify';
import type { Checkpoint } from './signed-note';

/** Is this document a proof package (GET /v1/work-orders/:id/proof) rather than a single receipt? */
export function isProofPackage(x: unknown): x is Record<string, unknown> & { receipts: unknown[] } {
  return isRecord(x) && Array.isArray(x.receipts) && 'checkpoint' in x && 'definition' in x;
}

/** A field of a record at a path, when every step of it is a record. */
function at(x: unknown, ...path: string[]): unknown {
  let value = x;
  for (const key of path) value = isRecord(value) ? value[key] : undefined;
  return value;
}

/**
 * Where a receipt carrying its event says something its event does not record (its kind, time,
 * actor, work order, evidence or decision): a receipt edited after it was served. Undefined when it agrees.
 */
function disagreement(r: Receipt): string | undefined {
  const e = r.event;
  if (!e) return undefined;
  const data = e.data;
  const decision = isRecord(data.decision) ? data.decision : undefined;
  const same = (a: unknown, b: unknown) => canonicalize(a ?? null) === canonicalize(b ?? null);
  if ((r.kind === 'decision') !== (e.type === 'ActionDecided')) return `its kind "${r.kind}"`;
  if (r.at !== e.recordedAt) return 'its time';
  if (typeof e.metadata.actor === 'string' && r.actor !== e.metadata.actor) return 'its actor';
  if (e.streamId !== `workorder-${r.workOrderId}`) return 'its work order';
  if ('evidence' in data && !same(r.evidence, data.evidence)) return 'its evidence';
  if (decision && e.type !== 'BreakGlassUsed') {
    if (r.decision !== decision.decision || r.reason !== decision.reason) return 'its decision';
    if (!same(r.policy, decision.policy) || r.inputsSha256 !== decision.inputsSha256) return 'its policy or inputs';
  }
  return undefined;
}

/** What does not hold of one receipt of the package, if anything. */
function receiptProblem(r: unknown, note: string, checkpoint: Checkpoint, workOrderId: unknown): string | undefined {
  if (!isReceipt(r)) return 'not shaped as a receipt';
  if (!r.proof) return 'no inclusion proof in it';
  if (r.proof.checkpoint !== note) return "its proof is against another checkpoint than the package's";
  if (r.workOrderId !== workOrderId) return 'it is a receipt of another work order';
  const inclusion = checkInclusion(r, r.proof, checkpoint).problems[0];
  if (inclusion) return inclusion.replace("from the receipt's leaf ", '');
  const edited = disagreement(r);
  return eventProblem(r) ?? (edited && `${edited} is not what its event records`);
}

/** Each receipt: its proof leads to the package's checkpoint, and its event (when in it) hashes to its leaf and agrees with it. */
function checkReceipts(pkg: { receipts: unknown[] }, note: string, checkpoint: Checkpoint, workOrderId: unknown) {
  const lines: string[] = [];
  const problems: string[] = [];
  const receipts: Receipt[] = [];
  let withEvents = 0;
  for (const [i, r] of pkg.receipts.entries()) {
    const problem = receiptProblem(r, note, checkpoint, workOrderId);
    const n = `${i + 1}/${pkg.receipts.length}`;
    if (problem || !isReceipt(r)) {
      problems.push(`receipt ${isReceipt(r) ? r.receiptId : n}: ${problem ?? 'not shaped as a receipt'}`);
      continue;
    }
    receipts.push(r);
    if (r.event) withEvents++;
    lines.push(
      `receipt ${n} ${r.receiptId} (${r.kind}, position ${r.ledger.position}): in the tree${r.event ? '; its event hashes to its leaf' : ''}`,
    );
  }
  if (!pkg.receipts.length) problems.push('the package holds no receipt');
  else if (!problems.length)
    lines.push(
      withEvents === receipts.length
        ? 'events: every receipt carries its event, and each hashes to its leaf'
        : `events: ${withEvents} of ${receipts.length} receipts carry their event (the public package has none); the others' leaves are checked, not their content`,
    );
  return { lines, problems, receipts };
}

/** The definition's sha256 is the policy every decision receipt names, the map's and the work order's. */
function checkDefinition(pkg: Record<string, unknown>, receipts: Receipt[]): Verdict {
  const text = pkg.definition;
  if (typeof text !== 'string') return { lines: [], problems: ['the definition is not the canonical JSON text'] };
  const sha = hash('sha256', text);
  const problems: string[] = [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  const decisions = receipts.filter((r) => r.kind === 'decision');
  for (const r of decisions)
    if (r.policy.sha256 !== sha)
      problems.push(
        `the definition's sha256 ${sha} is not the policy ${r.policy.sha256} that decision receipt ${r.receiptId} names`,
      );
  const mapSha = at(pkg, 'map', 'sha256');
  if (mapSha !== sha) problems.push(`the definition's sha256 ${sha} is not the map's ${String(mapSha)}`);
  const workOrderSha = at(pkg, 'workOrder', 'workflow', 'sha256');
  if (workOrderSha !== sha)
    problems.push(`the definition's sha256 ${sha} is not the work order's workflow ${String(workOrderSha)}`);
  if (parsed === undefined || canonicalize(parsed) !== text)
    problems.push('the definition is not RFC 8785 canonical JSON');
  const named = `${String(at(parsed, 'jobType'))} v${String(at(parsed, 'version'))}`;
  const lines = problems.length
    ? []
    : [
        `definition: ${named}, sha256 ${sha}: the policy of ${decisions.length} decision receipt(s), the map's and the work order's`,
      ];
  return { lines, problems };
}

/**
 * A proof package checked offline with the verifier key one trusts: the checkpoint's signed note,
 * every receipt's inclusion proof against that one checkpoint (and its event, when it carries it),
 * and that the definition is what the decisions were made under. `problems[0]` is the first failure.
 */
export function verifyPackage(pkg: Record<string, unknown> & { receipts: unknown[] }, key: string): Verdict {
  const lines: string[] = [];
  const problems: string[] = [];
  const workOrderId = at(pkg, 'workOrder', 'id');
  lines.push(`proof package of work order ${String(workOrderId)}: ${pkg.receipts.length} receipt(s)`);
  const note = typeof pkg.checkpoint === 'string' ? pkg.checkpoint : '';
  const opened = openCheckpoint(note, key);
  let receipts: Receipt[] = pkg.receipts.filter(isReceipt);
  if ('problem' in opened) {
    problems.push(opened.problem);
    lines.push('receipts: not checked (no checkpoint signed by that key)');
  } else {
    const { checkpoint } = opened;
    lines.push(
      `checkpoint: signed by ${checkpoint.origin}, ${checkpoint.size} events, root ${checkpoint.root.toString('base64')}`,
    );
    if (pkg.verifierKey !== key) lines.push('note: the package names another verifier key; checked with the key given');
    const checked = checkReceipts(pkg, note, checkpoint, workOrderId);
    lines.push(...checked.lines);
    problems.push(...checked.problems);
    receipts = checked.receipts;
  }
  const definition = checkDefinition(pkg, receipts);
  lines.push(...definition.lines);
  problems.push(...definition.problems);
  if (problems.length) {
    lines.push(`NOT VERIFIED: ${problems[0]}`);
    for (const p of problems.slice(1)) lines.push(`  also: ${p}`);
  } else lines.push(`proof package of work order ${String(workOrderId)}: verified`);
  return { lines, problems };
}
