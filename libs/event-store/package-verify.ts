import { hash } from 'node:crypto';
import { canonicalize, type Receipt } from '@workgate/contracts';
import { disagreement, openedPolicy, streamProblems } from './package-receipts';
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

/** What does not hold of one receipt of the package, if anything. */
function receiptProblem(
  r: unknown,
  note: string,
  checkpoint: Checkpoint,
  workOrderId: unknown,
  opened: unknown,
): string | undefined {
  if (!isReceipt(r)) return 'not shaped as a receipt';
  if (!r.proof) return 'no inclusion proof in it';
  if (r.proof.checkpoint !== note) return "its proof is against another checkpoint than the package's";
  if (r.workOrderId !== workOrderId) return 'it is a receipt of another work order';
  const inclusion = checkInclusion(r, r.proof, checkpoint).problems[0];
  if (inclusion) return inclusion.replace("from the receipt's leaf ", '');
  const edited = disagreement(r, opened);
  return eventProblem(r) ?? (edited && `${edited} is not what its event records`);
}

/** Each receipt: its proof leads to the package's checkpoint, and its event (when in it) hashes to its leaf and agrees with it. */
function checkReceipts(pkg: { receipts: unknown[] }, note: string, checkpoint: Checkpoint, workOrderId: unknown) {
  const lines: string[] = [];
  const problems: string[] = [];
  const receipts: Receipt[] = [];
  const opened = openedPolicy(pkg.receipts.filter(isReceipt));
  for (const [i, r] of pkg.receipts.entries()) {
    const problem = receiptProblem(r, note, checkpoint, workOrderId, opened);
    const n = `${i + 1}/${pkg.receipts.length}`;
    if (problem || !isReceipt(r)) {
      problems.push(`receipt ${isReceipt(r) ? r.receiptId : n}: ${problem ?? 'not shaped as a receipt'}`);
      continue;
    }
    receipts.push(r);
    lines.push(
      `receipt ${n} ${r.receiptId} (${r.kind}, position ${r.ledger.position}): in the tree${r.event ? '; its event hashes to its leaf' : ''}`,
    );
  }
  const shaped = pkg.receipts.filter(isReceipt);
  const withEvents = shaped.filter((r) => r.event).length;
  if (!pkg.receipts.length) problems.push('the package holds no receipt');
  else if (withEvents === pkg.receipts.length) {
    problems.push(...streamProblems(shaped, workOrderId));
    if (!opened) problems.push("the first receipt is not the work order's opening (its WorkOrderOpened event)");
    if (!problems.length)
      lines.push(
        'events: every receipt carries its event, each hashes to its leaf and agrees with its receipt',
        `stream: the receipts are stream versions 1..${receipts.length} of workorder-${String(workOrderId)}, each once (events after the last one would not show here)`,
      );
  } else if (withEvents)
    problems.push(`${withEvents} of ${pkg.receipts.length} receipts carry their event: all or none do`);
  else if (!problems.length)
    lines.push(
      `events: none of the ${receipts.length} receipts carries its event (the public package): each leaf is in the ledger;`,
      "receipts: their kind, work order, decision, policy and evidence are NOT BOUND to the ledger (the public package carries no events; the ops-lead package binds them); nor is that they are the work order's whole stream",
    );
  return {
    lines,
    problems,
    receipts,
    opened: withEvents === pkg.receipts.length && opened ? { ...opened, receiptId: shaped[0].receiptId } : undefined,
  };
}

/** The definition's sha256 against what names it: the work order's opening (full package), every decision receipt, the map and the work order. */
function checkDefinition(
  pkg: Record<string, unknown>,
  receipts: Receipt[],
  opened: { sha256: string; receiptId: string } | undefined,
): Verdict {
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
  if (opened && opened.sha256 !== sha)
    problems.push(
      `the definition's sha256 ${sha} is not the policy ${opened.sha256} the work order was opened under (its WorkOrderOpened event, receipt ${opened.receiptId})`,
    );
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
        opened
          ? `definition: ${named}, sha256 ${sha}: the policy the work order was opened under (its WorkOrderOpened event), of ${decisions.length} decision receipt(s), the map's and the work order's`
          : `definition: ${named}, sha256 ${sha}: NOT BOUND to the receipts (the public package carries no events; the ops-lead package binds it); the ${decisions.length} decision receipt(s), the map and the work order name it`,
      ];
  return { lines, problems };
}

/**
 * A proof package checked offline with the verifier key one trusts: the checkpoint's signed note,
 * every receipt's inclusion proof against that one checkpoint and, in the ops-lead package whose
 * receipts carry their events, that each event agrees with its receipt, that the receipts are the
 * work order's stream and that the definition is the policy it was opened under; then `checks`
 * (the boundary and map re-derived from the definition). `problems[0]` is the first failure.
 */
export function verifyPackage(
  pkg: Record<string, unknown> & { receipts: unknown[] },
  key: string,
  checks: Array<(pkg: Record<string, unknown>) => Verdict> = [],
): Verdict {
  const lines: string[] = [];
  const problems: string[] = [];
  const workOrderId = at(pkg, 'workOrder', 'id');
  lines.push(`proof package of work order ${String(workOrderId)}: ${pkg.receipts.length} receipt(s)`);
  const note = typeof pkg.checkpoint === 'string' ? pkg.checkpoint : '';
  const opened = openCheckpoint(note, key);
  let receipts: Receipt[] = pkg.receipts.filter(isReceipt);
  let bound: { sha256: string; receiptId: string } | undefined;
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
    bound = checked.opened;
  }
  for (const verdict of [checkDefinition(pkg, receipts, bound), ...checks.map((check) => check(pkg))]) {
    lines.push(...verdict.lines);
    problems.push(...verdict.problems);
  }
  if (problems.length) {
    lines.push(`NOT VERIFIED: ${problems[0]}`);
    for (const p of problems.slice(1)) lines.push(`  also: ${p}`);
  } else if (bound) lines.push(`proof package of work order ${String(workOrderId)}: verified`);
  else
    lines.push(
      `proof package of work order ${String(workOrderId)}: its receipts are in the ledger; the definition and the receipts' content are NOT BOUND to them (see above)`,
    );
  return { lines, problems };
}
