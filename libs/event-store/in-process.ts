import { BatchReply, BatchRequest, CommitResult, rpc } from '@workgate/contracts';
import { PreparedCommit } from './validate';

/**
 * Routes served only inside one process (LocalRoutes, and another thread's routes through its
 * port), never subscribed on NATS, so not in the AsyncAPI document: nothing from outside the
 * process reaches them.
 */
export const InProcessSubjects = {
  /**
   * Commits checked and put in canonical JSON by the caller's prepareCommit. A caller in the
   * ledger's own process sends text instead of object trees (far cheaper to clone between
   * threads) and the writer does not canonicalize again.
   */
  ledgerCommitPreparedBatch: rpc<BatchRequest<PreparedCommit>, BatchReply<CommitResult>>(
    'workgate.ledger.commit-prepared-batch',
  ),
} as const;
