import { Injectable } from '@nestjs/common';
import { dataOf, ledgerEventSubject, openChangeApproval, RecordedEvent } from '@workgate/contracts';
import {
  LedgerConsumers,
  ledgerHeadPosition,
  LedgerReaction,
  LedgerReactions,
  Outcome,
  RpcClient,
} from '@workgate/messaging';
import { PolicyService } from './policy.service';
import { WorkflowDrafts } from './workflow-drafts';

/** The outcomes of an approval that settle the change it is about: an earlier version's consumers, one for each. */
const OUTCOMES = ['ApprovalGranted', 'ApprovalRejected', 'ApprovalExpired', 'ApprovalWithdrawn'] as const;

/**
 * A governed workflow change as a process (docs/policy.md, Changing a workflow): the policy service
 * records the change on `workflow-<jobType>` and asks the approvals service, which alone writes
 * `approval-<id>`, to open its approval; it learns the approval's outcome from the ledger and
 * publishes or closes the change on its own stream. Each step is idempotent, so these reactions
 * redo whatever a crash or an unanswered request left undone: a recorded change whose approval
 * was never opened is asked for again (its approval id is in the event), and a decided approval
 * whose change was not yet settled is settled. The outcome of a change's approval comes with an
 * ApprovalOfChangeSettled beside it, the one event reacted to; an earlier version's consumers of
 * every outcome run, where they exist, up to the ledger's head at start, then are deleted.
 */
@Injectable()
export class ChangeProcess extends LedgerReactions {
  constructor(
    consumers: LedgerConsumers,
    private readonly policy: PolicyService,
    private readonly drafts: WorkflowDrafts,
    private readonly rpc: RpcClient,
  ) {
    super(consumers, 'policy');
  }

  protected reactions(): LedgerReaction[] {
    return [
      {
        durable: 'policy-change-approvals',
        subject: ledgerEventSubject('workflow', 'WorkflowChangeProposed'),
        react: (e) => this.askApproval(e),
      },
      {
        durable: 'policy-pattern-change-approvals',
        subject: ledgerEventSubject('pattern', 'PatternChangeProposed'),
        react: (e) => this.askPatternApproval(e),
      },
      {
        durable: 'policy-change-settled',
        subject: ledgerEventSubject('approval', 'ApprovalOfChangeSettled'),
        react: (e) => this.settle(dataOf(e, 'approval', 'ApprovalOfChangeSettled').approvalId),
      },
      ...OUTCOMES.map((type): LedgerReaction => ({
        durable: `policy-change-${type}`,
        subject: ledgerEventSubject('approval', type),
        retiredAfter: ledgerHeadPosition(this.rpc),
        react: (e) => this.settle(dataOf(e, 'approval', type).approvalId),
      })),
    ];
  }

  /** A recorded change still waiting (or not yet known here): its approval is asked for. */
  private async askApproval(e: RecordedEvent): Promise<Outcome> {
    const change = dataOf(e, 'workflow', 'WorkflowChangeProposed');
    const state = this.policy.registry.state(change.jobType);
    const known = state.status !== 'none' && state.proposals.has(change.changeId);
    if (known && !this.policy.registry.pendingChange(change.approvalId)) return { kind: 'ack' };
    await this.policy.stream.askApproval(openChangeApproval(change, e.occurredAt));
    return { kind: 'ack' };
  }

  /** A recorded pattern change still waiting (docs/patterns.md, A version that widens): its approval is asked for. */
  private async askPatternApproval(e: RecordedEvent): Promise<Outcome> {
    await this.policy.patterns.askApprovalOf(e);
    return { kind: 'ack' };
  }

  /** An approval of a change waiting here was decided, withdrawn or expired: the change is published or closed. */
  private async settle(approvalId: string): Promise<Outcome> {
    if (this.policy.registry.pendingChange(approvalId)) await this.drafts.applyChange({ approvalId });
    if (this.policy.patterns.isChange(approvalId, true)) await this.policy.patterns.settle(approvalId);
    return { kind: 'ack' };
  }
}
