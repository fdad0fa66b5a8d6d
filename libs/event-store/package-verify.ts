import { hash } from 'node:crypto';
import { canonicalize, type Receipt, type RecordedEvent } from '@workgate/contracts';
import { checkIssuance, Issued, partAgainstIssued, receiptsAgainstIssued } from './package-issuance';
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

/** What the receipts checks found: lines, problems, the receipts that hold, and the proven events of a package whose receipts all carry them. */
interface ReceiptsChecked extends Verdict {
  receipts: Receipt[];
  opened?: { sha256: string; receiptId: string };
  /** Every event of the work order's stream, each hashing to a leaf in the signed tree: the private package's, when all holds. */
  proven?: RecordedEvent[];
}

/** Each receipt: its proof leads to the package's checkpoint, and its event (when in it) hashes to its leaf and agrees with it. */
function checkReceipts(
  pkg: { receipts: unknown[] },
  note: string,
  checkpoint: Checkpoint,
  workOrderId: unknown,
  issued: Issued | undefined,
): ReceiptsChecked {
  const lines: string[] = [];
  const problems: string[] = [];
  const receipts: Receipt[] = [];
  const opened = openedPolicy(pkg.receipts.filter(isReceipt));
  for (const [i, r] of pkg.receipts.entries()) {
    const problem = receiptProblem(r, note, checkpoint, workOrderId, opened);
    const n = `${i + 1}/${pkg.receipts.length}`;
    if (problem || !isReceipt(r)) {
      problems.push(`receipt ${n}${isReceipt(r) ? ` ${r.receiptId}` : ''}: ${problem ?? 'not shaped as a receipt'}`);
      continue;
    }
    receipts.push(r);
    lines.push(
      `receipt ${n} ${r.receiptId} (${r.kind}, position ${r.ledger.position}): in the tree${r.event ? '; its event hashes to its leaf and agrees with the receipt' : ''}`,
    );
  }
  const shaped = pkg.receipts.filter(isReceipt);
  const withEvents = shaped.filter((r) => r.event).length;
  if (!pkg.receipts.length) problems.push('receipts: the package holds no receipt');
  else if (withEvents === pkg.receipts.length) {
    problems.push(...streamProblems(shaped, workOrderId).map((p) => `receipts: ${p}`));
    if (!opened)
      problems.push("receipts: the first receipt is not the work order's opening (its WorkOrderOpened event)");
    if (!problems.length)
      lines.push(
        'events: every receipt carries its event, each hashes to its leaf and agrees with its receipt',
        `stream: the receipts are stream versions 1..${receipts.length} of workorder-${String(workOrderId)}, each once (events after the last one would not show here)`,
      );
  } else if (withEvents)
    problems.push(`receipts: ${withEvents} of ${pkg.receipts.length} receipts carry their event: all or none do`);
  else if (issued) {
    const unlike = receiptsAgainstIssued(pkg.receipts, issued);
    if (!problems.length && !unlike.length)
      lines.push(
        `events: none of the ${receipts.length} receipts carries its event (the public package): each leaf is in the ledger, each receipt hashes to what the issuance record records`,
      );
    problems.push(...unlike);
  } else {
    if (!problems.length)
      lines.push(
        `events: none of the ${receipts.length} receipts carries its event (the public package): each leaf is in the ledger`,
      );
    for (const r of receipts)
      problems.push(
        `NOT BOUND: receipt ${r.receiptId} — its leaf is in the ledger, but its kind, decision, policy and evidence are not (the public package carries no events)`,
      );
  }
  const full = withEvents === pkg.receipts.length && !problems.length;
  return {
    lines,
    problems,
    receipts,
    // The opening binds the definition when its own receipt holds and it carries its event.
    opened:
      withEvents === pkg.receipts.length && opened && receipts[0] === shaped[0]
        ? { ...opened, receiptId: shaped[0].receiptId }
        : undefined,
    proven: full ? shaped.map((r) => r.event).filter((e) => e !== undefined) : undefined,
  };
}

/** The definition's sha256 against what names it: the work order's opening (full package), every decision receipt, the map and the work order. */
function checkDefinition(
  pkg: Record<string, unknown> & { receipts: unknown[] },
  opened: { sha256: string; receiptId: string } | undefined,
  issued: Issued | undefined,
): Verdict {
  const text = pkg.definition;
  if (typeof text !== 'string') return { lines: [], problems: ['definition: it is not the canonical JSON text'] };
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
      `definition: its sha256 ${sha} is not the policy ${opened.sha256} the work order was opened under (its WorkOrderOpened event, receipt ${opened.receiptId})`,
    );
  const decisions = pkg.receipts.filter(isReceipt).filter((r) => r.kind === 'decision');
  for (const r of decisions)
    if (r.policy.sha256 !== sha)
      problems.push(
        `definition: its sha256 ${sha} is not the policy ${r.policy.sha256} that decision receipt ${r.receiptId} names`,
      );
  const mapSha = at(pkg, 'map', 'sha256');
  if (mapSha !== sha) problems.push(`definition: its sha256 ${sha} is not the map's ${String(mapSha)}`);
  const workOrderSha = at(pkg, 'workOrder', 'workflow', 'sha256');
  if (workOrderSha !== sha)
    problems.push(`definition: its sha256 ${sha} is not the work order's workflow ${String(workOrderSha)}`);
  if (parsed === undefined || canonicalize(parsed) !== text)
    problems.push('definition: it is not RFC 8785 canonical JSON');
  const named = `${String(at(parsed, 'jobType'))} v${String(at(parsed, 'version'))}`;
  const record = issued && partAgainstIssued(pkg, 'definition', issued);
  if (record) problems.push(...record.problems);
  if (problems.length) return { lines: [], problems };
  if (!opened && record)
    return {
      lines: [
        `definition: ${named}, sha256 ${sha}: as the issuance record (position ${issued?.position}) records, named by ${decisions.length} decision receipt(s), the map and the work order`,
      ],
      problems,
    };
  // The ops lead's package binds it by its opening receipt, which did not hold (named above).
  const why = pkg.receipts.some((r) => isRecord(r) && r.event !== undefined)
    ? 'its opening receipt and the issuance record do not hold'
    : 'the public package carries no events';
  if (!opened)
    problems.push(
      `NOT BOUND: definition — ${named}, sha256 ${sha}: the ${decisions.length} decision receipt(s), the map and the work order name it, but nothing the ledger signed does (${why})`,
    );
  const line = `definition: ${named}, sha256 ${sha}: the policy the work order was opened under (its WorkOrderOpened event, receipt ${opened?.receiptId}), named by ${decisions.length} decision receipt(s), the map and the work order`;
  return { lines: opened ? [line] : [], problems };
}

/**
 * A check of more parts of the package: given the package, in the private package when every
 * receipt holds its proven events, and the issuance record when it holds.
 */
export type PackageCheck = (
  pkg: Record<string, unknown>,
  proven: RecordedEvent[] | undefined,
  issued: Issued | undefined,
) => Verdict;

/** The parts of a package that are not receipts, in the order a verifier names them. */
export const PACKAGE_PARTS = [
  'checkpoint',
  'definition',
  'map',
  'boundary',
  'workOrder',
  'delivery.json',
  'delivery.html',
  'issuance',
  'verifierKey',
];

/**
 * A proof package checked offline with the verifier key one trusts: the checkpoint's signed note,
 * every receipt's inclusion proof against that one checkpoint and, in the ops-lead package whose
 * receipts carry their events, that each event agrees with its receipt, that the receipts are the
 * work order's stream and that the definition is the policy it was opened under; then `checks`
 * (the boundary and map re-derived from the definition, the work order and delivery page
 * recomputed from the proven events). Every problem starts with the part it is about; a part
 * nothing binds is a problem `NOT BOUND: <part> — why`. `problems[0]` is the first failure.
 */
export function verifyPackage(
  pkg: Record<string, unknown> & { receipts: unknown[] },
  key: string,
  checks: PackageCheck[] = [],
): Verdict {
  const lines: string[] = [];
  const problems: string[] = [];
  const workOrderId = at(pkg, 'workOrder', 'id');
  lines.push(`proof package of work order ${String(workOrderId)}: ${pkg.receipts.length} receipt(s)`);
  const note = typeof pkg.checkpoint === 'string' ? pkg.checkpoint : '';
  const opened = openCheckpoint(note, key);
  let checked: ReceiptsChecked = { lines: [], problems: [], receipts: [] };
  let issued: Issued | undefined;
  if ('problem' in opened) {
    problems.push(`checkpoint: ${opened.problem.replace("the checkpoint's ", 'its ')}`);
    lines.push('receipts: not checked (no checkpoint signed by that key)');
  } else {
    const { checkpoint } = opened;
    lines.push(
      `checkpoint: signed by ${checkpoint.origin}, ${checkpoint.size} events, root ${checkpoint.root.toString('base64')}`,
    );
    const audience = pkg.receipts.some((r) => isRecord(r) && r.event !== undefined) ? 'ops-lead' : 'public';
    const issuance = checkIssuance(pkg, note, checkpoint, workOrderId, audience);
    issued = issuance.issued;
    checked = checkReceipts(pkg, note, checkpoint, workOrderId, issued);
    lines.push(...checked.lines, ...issuance.lines);
    problems.push(...checked.problems, ...issuance.problems);
  }
  // The parts the issuance record holds the sha256 of (the definition is checked with what else names it).
  const recorded = Object.keys(issued?.data.parts ?? {}).filter((part) => part !== 'definition');
  for (const verdict of [
    checkDefinition(pkg, checked.opened, issued),
    ...checks.map((check) => check(pkg, checked.proven, issued)),
    ...(issued ? recorded.map((part) => partAgainstIssued(pkg, part, issued)) : []),
  ]) {
    lines.push(...verdict.lines);
    problems.push(...verdict.problems);
  }
  // The package's copy of the key is checked against the key one trusts (which is what verifies).
  if (pkg.verifierKey !== key) problems.push('verifierKey: it is not the verifier key given (--key)');
  else lines.push('verifierKey: the key given');
  lines.push(...summary(String(workOrderId), pkg.receipts.length, problems));
  return { lines, problems };
}

/** The closing lines: what broke (each named), what is not bound (each named), or that all of it is verified. */
function summary(workOrderId: string, receipts: number, problems: string[]): string[] {
  const unbound = problems.filter((p) => p.startsWith('NOT BOUND: '));
  const broken = problems.filter((p) => !p.startsWith('NOT BOUND: '));
  const lines = [...unbound];
  if (broken.length) {
    lines.push(`NOT VERIFIED: ${broken[0]}`);
    for (const p of broken.slice(1)) lines.push(`  also: ${p}`);
  }
  const parts = `${PACKAGE_PARTS.length} parts and ${receipts} receipt(s)`;
  if (!problems.length) lines.push(`proof package of work order ${workOrderId}: verified (${parts}, every one bound)`);
  else
    lines.push(
      `proof package of work order ${workOrderId}: NOT VERIFIED (${parts}: ${broken.length} problem(s), ${unbound.length} part(s) NOT BOUND)`,
    );
  return lines;
}
