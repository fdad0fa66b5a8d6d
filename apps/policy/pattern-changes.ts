import { approvalStream, PatternChangeRef, WorkgateError } from '@workgate/contracts';
import { approvalEventOf, approvals } from '@workgate/domain';
import { foldStream, pagesOver, RpcClient } from '@workgate/messaging';

/** What became of a pattern change's approval, read from its own stream (docs/patterns.md, Changing a pattern). */
export interface PatternApprovalOutcome {
  change: PatternChangeRef;
  /** Absent while nobody decided it. */
  outcome?: 'approved' | 'rejected' | 'expired' | 'withdrawn';
  by?: string;
}

/** The outcome of a `pattern-change` approval, or `not_found` for any other approval. */
export async function approvalOutcome(rpc: RpcClient, approvalId: string): Promise<PatternApprovalOutcome> {
  const { state } = await foldStream(pagesOver(rpc), approvalStream(approvalId), approvals.initial(), (s, e) =>
    approvals.evolve(s, approvalEventOf(e)),
  );
  if (state.status === 'none' || !state.patternChange)
    throw new WorkgateError('not_found', `no pattern change waits for approval ${approvalId}`);
  const change = state.patternChange;
  if (state.status === 'requested' || state.status === 'conditional') return { change };
  const by = 'decidedBy' in state ? state.decidedBy : 'withdrawnBy' in state ? state.withdrawnBy : undefined;
  return { change, outcome: state.status, ...(by ? { by } : {}) };
}
