import { Injectable } from '@nestjs/common';
import { ledgerEventSubject, ORIGINAL_SCOPE, RecordedEvent } from '@workgate/contracts';
import { WorkOrderEvent, workOrderEventOf } from '@workgate/domain';
import {
  holdsText,
  LedgerConsumers,
  LedgerReaction,
  LedgerReactions,
  retiredStarting,
  RpcClient,
} from '@workgate/messaging';
import { ApprovalStarts } from './stream-starts';

/**
 * The approvals, post-reviews and delegations a work order's events start, from the ledger: intake
 * asks this service to start them once it committed the events (`workgate.approvals.start`), and
 * when that ask did not reach it (this service down or slow), these reactions start them, with the
 * very same event ids (docs/ledger.md, Who writes which stream). A stream already started is left
 * as it is. The earliest versions recorded a wait as its ActionDecided alone: that consumer runs,
 * where it exists, until it has handled everything recorded before this version started, and is
 * then deleted.
 */
@Injectable()
export class StartReactions extends LedgerReactions {
  constructor(
    consumers: LedgerConsumers,
    private readonly rpc: RpcClient,
    private readonly starts: ApprovalStarts,
  ) {
    super(consumers, 'approvals');
  }

  protected reactions(): LedgerReaction[] {
    return [
      this.starts.reaction('approvals-gates', ledgerEventSubject('workorder', 'GateRequested')),
      this.starts.reaction('approvals-break-glass', ledgerEventSubject('workorder', 'BreakGlassUsed')),
      this.starts.reaction('approvals-delegations', ledgerEventSubject('workorder', 'TaskDelegated')),
      // Only a `wait` is decoded.
      retiredStarting(
        this.rpc,
        'approvals-waits',
        ledgerEventSubject('workorder', 'ActionDecided'),
        (e) => this.waitStarts(e),
        holdsText('"decision":"wait"'),
      ),
    ];
  }

  /** A wait recorded as its ActionDecided alone, as the gate request this version records with it. */
  private waitStarts(e: RecordedEvent) {
    const decided = workOrderEventOf(e);
    if (decided.type !== 'ActionDecided') return Promise.resolve([]);
    const d = decided.data;
    if (d.decision?.decision !== 'wait' || !d.approvalId) return Promise.resolve([]);
    const { system, operation, kind, objects } = d.action;
    const gate: WorkOrderEvent = {
      ...decided,
      type: 'GateRequested',
      data: {
        workOrderId: d.workOrderId,
        approvalId: d.approvalId,
        kind: d.gate ?? d.decision.rule ?? 'approval',
        owner: d.decision.decisionOwner ?? 'unknown',
        scope: d.scope ?? ORIGINAL_SCOPE,
        source: { actionId: d.actionId },
        action: { system, operation, kind, ...(objects ? { objects } : {}) },
        policy: d.decision.policy,
      },
    };
    return this.starts.appendsOfEvent(gate);
  }
}
