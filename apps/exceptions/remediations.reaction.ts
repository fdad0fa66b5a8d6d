import { Injectable } from '@nestjs/common';
import { dataOf, ledgerEventSubject, postReviewStream, RecordedEvent } from '@workgate/contracts';
import { exceptions } from '@workgate/domain';
import {
  handle,
  LedgerConsumers,
  firstEventOf,
  ledgerHeadPosition,
  holdsText,
  LedgerReaction,
  LedgerReactions,
  Outcome,
  RpcClient,
} from '@workgate/messaging';
import { ExceptionStarts, ExceptionsStore } from './exceptions.store';

/**
 * A completed post-review's remediation becomes a remediation task of the exception it reviewed,
 * so it stays open (and counted) until it is closed with evidence.
 *
 * The exceptions a work order's events raise (a blocked step, a failed prerequisite, a
 * break-glass) are this service's to start: intake asks for them once it committed the events
 * (`workgate.exceptions.start`), and when that ask did not reach this service, these reactions
 * start them, with the very same event ids (docs/ledger.md, Who writes which stream). An exception
 * already started is left as it is.
 */
@Injectable()
export class RemediationReactions extends LedgerReactions {
  constructor(
    consumers: LedgerConsumers,
    private readonly store: ExceptionsStore,
    private readonly rpc: RpcClient,
    private readonly starts: ExceptionStarts,
  ) {
    super(consumers, 'exceptions');
  }

  protected reactions(): LedgerReaction[] {
    const raising = (
      durable: string,
      type: 'StepBlocked' | 'WorkOrderExceptionRaised' | 'BreakGlassUsed' | 'WorkOrderOpened',
      mayConcern?: (raw: Uint8Array) => boolean,
    ) => this.starts.reaction(durable, ledgerEventSubject('workorder', type), mayConcern);
    return [
      {
        durable: 'exceptions-post-review-remediations',
        subject: ledgerEventSubject('postreview', 'PostReviewCompleted'),
        react: (e) => this.remediate(e),
      },
      raising('exceptions-blocked-steps', 'StepBlocked'),
      raising('exceptions-work-order-raised', 'WorkOrderExceptionRaised'),
      raising('exceptions-break-glass', 'BreakGlassUsed'),
      // An opening's failed prerequisite is recorded beside it (WorkOrderExceptionRaised, above);
      // where an earlier version recorded the opening alone, this retired reaction starts its
      // exception, up to the ledger's head at start, then its consumer is deleted. Only an opening
      // that lists an exception (each holds its exceptionId) is decoded.
      {
        ...raising('exceptions-prerequisites', 'WorkOrderOpened', holdsText('"exceptionId":')),
        retiredAfter: ledgerHeadPosition(this.rpc),
      },
    ];
  }

  private async remediate(e: RecordedEvent): Promise<Outcome> {
    const d = dataOf(e, 'postreview', 'PostReviewCompleted');
    const first = await firstEventOf(this.rpc, postReviewStream(d.postReviewId));
    const created = first ? dataOf(first, 'postreview', 'PostReviewCreated') : undefined;
    if (!created) return { kind: 'ack' };
    const r = d.remediation;
    await handle(
      this.store,
      created.exceptionId,
      (state, clock) =>
        exceptions.decide(
          { type: 'AddRemediation', taskId: r.taskId, title: r.title, owner: r.owner, due: r.due, by: d.completedBy },
          state,
          clock,
        ),
      { actor: d.completedBy, now: e.occurredAt },
    );
    return { kind: 'ack' };
  }
}
