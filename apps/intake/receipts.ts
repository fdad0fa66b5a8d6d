import { Evidence, RECEIPT_KINDS, Receipt, ReceiptRequest, RecordedEvent } from '@workgate/contracts';
import { WorkOrder, workOrderEventOf } from '@workgate/domain';

/** The work order a recorded event is a receipt of, if it is one. */
export function receiptWorkOrderOf(e: RecordedEvent): string | undefined {
  if (!Object.prototype.hasOwnProperty.call(RECEIPT_KINDS, e.type) || !e.streamId.startsWith('workorder-'))
    return undefined;
  return e.streamId.slice('workorder-'.length);
}

/** What a receipt shows of its event's data: the evidence it carries and the decision it records, when it has them. */
interface ReceiptData {
  evidence?: Evidence[];
  decision?: { decision: Receipt['decision']; reason: string; policy: Receipt['policy']; inputsSha256: string };
}

/**
 * A decision or step receipt of `e` (a receipt event of `state`'s stream): private evidence only
 * when asked for by an ops lead, with its inclusion proof or why there is none.
 */
export function receiptOf(
  e: RecordedEvent,
  state: WorkOrder,
  req: ReceiptRequest,
  proof: Pick<Receipt, 'proof' | 'proofUnavailable'>,
): Receipt {
  const event = workOrderEventOf(e);
  const { data } = event;
  const d: ReceiptData = {
    ...('evidence' in data ? { evidence: data.evidence } : {}),
    ...('decision' in data && typeof data.decision === 'object' ? { decision: data.decision } : {}),
  };
  // Break-glass runs the action outside the rules: its receipt is a `run` for that reason.
  const verdict =
    e.type === 'BreakGlassUsed'
      ? { decision: 'run' as const, reason: 'break_glass' }
      : d.decision
        ? { decision: d.decision.decision, reason: d.decision.reason }
        : {};
  const { actor } = e.metadata;
  return {
    receiptId: e.eventId,
    kind: RECEIPT_KINDS[event.type],
    workOrderId: state.id,
    ...verdict,
    actor: typeof actor === 'string' ? actor : 'unknown',
    ...('approvers' in data && data.approvers ? { approvers: data.approvers } : {}),
    at: e.recordedAt,
    policy: d.decision?.policy ?? state.policy,
    ...(d.decision ? { inputsSha256: d.decision.inputsSha256 } : {}),
    evidence: (d.evidence ?? []).filter((x) => req.includePrivate || x.private !== true),
    ledger: { position: e.position, hash: e.hash, prevHash: e.prevHash },
    // The whole event (ops leads: private evidence included), so the chain hash can be recomputed offline.
    ...(req.includePrivate ? { event: e } : {}),
    // Its inclusion in the ledger's Merkle tree, against a signed checkpoint: verifiable offline.
    ...proof,
  };
}
