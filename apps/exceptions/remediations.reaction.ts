import { Injectable } from '@nestjs/common';
import { AppendRequest, dataOf, ledgerEventSubject, postReviewStream, RecordedEvent } from '@workgate/contracts';
import { exceptions, startAppend, startedBy, workOrderEventOf } from '@workgate/domain';
import {
  handle,
  LedgerConsumers,
  firstEventOf,
  holdsText,
  LedgerReaction,
  LedgerReactions,
  Outcome,
  retiredStarting,
  RpcClient,
} from '@workgate/messaging';
import { ExceptionsStore } from './exceptions.store';

/**
 * A completed post-review's remediation becomes a remediation task of the exception it reviewed,
 * so it stays open (and counted) until it is closed with evidence.
 *
 * Exceptions start in the commit of the command that raises them (a blocked step, a failed
 * prerequisite, a break-glass). The consumers an earlier version raised them with run, where they
 * exist, until they have handled everything recorded before this version started, and are then
 * deleted; they start the very same exceptions, with the same event ids, a command would have.
 */
@Injectable()
export class RemediationReactions extends LedgerReactions {
  constructor(
    consumers: LedgerConsumers,
    private readonly store: ExceptionsStore,
    private readonly rpc: RpcClient,
  ) {
    super(consumers, 'exceptions');
  }

  protected reactions(): LedgerReaction[] {
    const raising = (
      durable: string,
      type: 'StepBlocked' | 'WorkOrderExceptionRaised' | 'BreakGlassUsed' | 'WorkOrderOpened',
      mayConcern?: (raw: Uint8Array) => boolean,
    ) =>
      retiredStarting(
        this.rpc,
        durable,
        ledgerEventSubject('workorder', type),
        (e) => Promise.resolve(this.exceptionsOf(e)),
        mayConcern,
      );
    return [
      {
        durable: 'exceptions-post-review-remediations',
        subject: ledgerEventSubject('postreview', 'PostReviewCompleted'),
        react: (e) => this.remediate(e),
      },
      raising('exceptions-blocked-steps', 'StepBlocked'),
      raising('exceptions-work-order-raised', 'WorkOrderExceptionRaised'),
      raising('exceptions-break-glass', 'BreakGlassUsed'),
      // Nearly every work order opens without a failed prerequisite: only an opening that records
      // an exception (each holds its exceptionId) is decoded.
      raising('exceptions-prerequisites', 'WorkOrderOpened', holdsText('"exceptionId":')),
    ];
  }

  private exceptionsOf(e: RecordedEvent): AppendRequest[] {
    return startedBy(workOrderEventOf(e), { approvalTimeoutMs: 0 })
      .filter((s) => s.stream === 'exception')
      .map((s) => startAppend(s, e.metadata, e.occurredAt));
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
