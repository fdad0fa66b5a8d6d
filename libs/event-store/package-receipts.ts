import { canonicalize, receiptKindOf, type Receipt } from '@workgate/contracts';
import { isRecord } from './receipt-verify';

const same = (a: unknown, b: unknown) => canonicalize(a ?? null) === canonicalize(b ?? null);

/** The policy a work order was opened under, as its WorkOrderOpened event records it (the package's first receipt). */
export function openedPolicy(receipts: Receipt[]): (Record<string, unknown> & { sha256: string }) | undefined {
  const data = receipts[0]?.event?.type === 'WorkOrderOpened' ? receipts[0].event.data : undefined;
  const policy = isRecord(data?.policy) ? data.policy : undefined;
  return policy && typeof policy.sha256 === 'string' ? { ...policy, sha256: policy.sha256 } : undefined;
}

/**
 * Where a receipt carrying its event says something its event does not record (its kind, time,
 * actor, work order, evidence, decision or policy): a receipt edited after it was served. A receipt
 * that is not a decision names the policy the work order was opened under. Undefined when it agrees.
 */
export function disagreement(r: Receipt, opened: unknown): string | undefined {
  const e = r.event;
  if (!e) return undefined;
  const data = e.data;
  const decision = isRecord(data.decision) ? data.decision : undefined;
  if (r.kind !== receiptKindOf(e.type)) return `its kind "${r.kind}"`;
  if (r.at !== e.recordedAt) return 'its time';
  if (typeof e.metadata.actor === 'string' && r.actor !== e.metadata.actor) return 'its actor';
  if (e.streamId !== `workorder-${r.workOrderId}`) return 'its work order';
  if (!same(r.evidence, 'evidence' in data ? data.evidence : [])) return 'its evidence';
  if (e.type === 'BreakGlassUsed') {
    if (r.decision !== 'run' || r.reason !== 'break_glass') return 'its decision';
  } else if (decision) {
    if (r.decision !== decision.decision || r.reason !== decision.reason) return 'its decision';
    if (!same(r.policy, decision.policy) || r.inputsSha256 !== decision.inputsSha256) return 'its policy or inputs';
    return undefined;
  } else if (r.decision !== undefined || r.reason !== undefined) return 'its decision';
  if (opened && !same(r.policy, opened)) return 'its policy (not the one the work order was opened under)';
  return undefined;
}

/**
 * The receipts of a package whose receipts all carry their events are the whole stream of the work
 * order up to its last one: stream versions 1, 2, ... n in order, each receipt once. What does not hold.
 */
export function streamProblems(receipts: Receipt[], workOrderId: unknown): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const r of receipts) {
    if (seen.has(r.receiptId)) problems.push(`receipt ${r.receiptId}: it is in the package more than once`);
    seen.add(r.receiptId);
  }
  for (const [i, r] of receipts.entries()) {
    const version = r.event?.streamVersion;
    if (version === i + 1) continue;
    const stream = `workorder-${String(workOrderId)}`;
    problems.push(
      version !== undefined && version > i + 1
        ? `the receipts are not the whole stream ${stream}: the receipt of stream version ${i + 1} is missing (receipt ${r.receiptId} is version ${version})`
        : `receipt ${r.receiptId}: it is stream version ${String(version)} of ${stream}, where version ${i + 1} belongs`,
    );
    break;
  }
  return problems;
}
