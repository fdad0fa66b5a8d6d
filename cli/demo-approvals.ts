import { ApprovalEvents, ApprovalView, dataOf, Subjects } from '@workgate/contracts';
import { RpcClient } from '@workgate/messaging';
import { allOf } from './demo-ledger';
import { DemoSummary } from './demo-events';

/**
 * Who decides an approval in the demo, in order: its owner; or, for an approval of several
 * approvers (docs/policy.md, Two-person approvals), as many of `from` as it needs, never its
 * requester, starting at a seeded place in the list so each approver takes a share.
 */
export function demoApprovers(
  approval: Pick<ApprovalView, 'owner' | 'requestedBy' | 'required' | 'from'>,
  r: () => number,
): string[] {
  if (!approval.required || !approval.from?.length) return [approval.owner];
  const may = approval.from.filter((who) => who !== approval.requestedBy);
  const start = Math.floor(r() * may.length);
  return [...may.slice(start), ...may.slice(0, start)].slice(0, approval.required);
}

/**
 * Today's approvals: about 95% of those still requested are decided (lifecycle gates move with
 * their engagements instead), 85% approved. An approval of several approvers is approved by as
 * many distinct approvers as it needs, each deciding once, though about a third still wait for
 * the second approver; a rejection is the first approver's.
 */
export async function decideApprovals(rpc: RpcClient, r: () => number, summary: DemoSummary): Promise<void> {
  for (const e of await allOf(rpc, [ApprovalEvents.Requested])) {
    const d = dataOf(e, 'approval', ApprovalEvents.Requested);
    const approval = await rpc.request(Subjects.approvals.get, { approvalId: d.approvalId }).catch(() => undefined);
    // Lifecycle gates move with their engagements (advanceEngagements); security reviews of other moves stay pending.
    if (
      !approval?.requestedAction ||
      approval.status !== 'requested' ||
      approval.requestedAction.system === 'lifecycle' ||
      r() < 0.05
    )
      continue;
    const approve = r() < 0.85;
    const approvers = demoApprovers(approval, r);
    // An approval of several approvers sometimes still waits for its second approver ("1 of 2").
    const deciding = !approve || (approvers.length > 1 && r() < 0.3) ? approvers.slice(0, 1) : approvers;
    let decided = false;
    for (const by of deciding) {
      decided = await rpc
        .request(Subjects.approvals.decide, {
          approvalId: d.approvalId,
          by,
          decision: approve ? 'approve' : 'reject',
          ...(approve ? { permittedAction: approval.requestedAction } : {}),
          note: approve ? 'within policy' : 'not this time',
        })
        .then(() => true)
        .catch(() => false);
      if (!decided) break;
    }
    if (decided && deciding.length === approvers.length) summary.approvalsDecided++;
  }
}
