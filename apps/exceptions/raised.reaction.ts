import { Inject, Injectable } from '@nestjs/common';
import { NatsConnection } from 'nats';
import { ExceptionRef, ledgerSubject, PostReviewEvents, postReviewStream, ReadStreamResult, RecordedEvent, Subjects, WorkOrderEvents } from '@workgate/contracts';
import { CatalogCode } from '@workgate/domain';
import { DeadLetterSink, holdsText, LedgerReaction, ledgerHeadPosition, LedgerReactions, NATS_CONNECTION, Outcome, RpcClient } from '@workgate/messaging';
import { parseDuration } from '@workgate/workflow';
import { ExceptionCatalog } from './exception-catalog';
import { ExceptionsStore } from './exceptions.store';

/**
 * Every exception a work order records (a blocked step, a failed prerequisite, a break-glass)
 * becomes an owned exception of its own (`exception-<id>`, same id), owner and SLA from the
 * catalog. A completed post-review's remediation becomes a remediation task of the exception it
 * reviewed, so it stays open (and counted) until it is closed with evidence.
 */
@Injectable()
export class RaisedReaction extends LedgerReactions {
  constructor(
    private readonly store: ExceptionsStore,
    private readonly catalog: ExceptionCatalog,
    private readonly rpc: RpcClient,
    @Inject(NATS_CONNECTION) nc: NatsConnection,
    sink: DeadLetterSink,
  ) {
    super(nc, sink, 'exceptions');
  }

  protected reactions(): LedgerReaction[] {
    const raising = (durable: string, type: string): LedgerReaction => ({ durable, subject: ledgerSubject('workorder-x', type), react: (e) => this.raise(e) });
    return [
      raising('exceptions-blocked-steps', WorkOrderEvents.StepBlocked),
      raising('exceptions-work-order-raised', WorkOrderEvents.ExceptionRaised),
      raising('exceptions-break-glass', WorkOrderEvents.BreakGlassUsed),
      { durable: 'exceptions-post-review-remediations', subject: ledgerSubject('postreview-x', PostReviewEvents.Completed), react: (e) => this.remediate(e) },
      // Ledgers of earlier versions record a failed prerequisite in its WorkOrderOpened alone: the
      // consumer those versions read every opening with runs, where it exists, until it has
      // handled everything recorded before this version started, and is then deleted.
      {
        ...raising('exceptions-prerequisites', WorkOrderEvents.Opened),
        // Nearly every work order opens without a failed prerequisite: only an opening that
        // records an exception (each holds its exceptionId) is decoded.
        mayConcern: holdsText('"exceptionId":'),
        retiredAfter: ledgerHeadPosition(this.rpc),
      },
    ];
  }

  private async remediate(e: RecordedEvent): Promise<Outcome> {
    const d = e.data as { postReviewId: string; completedBy: string; remediation: { taskId: string; title: string; owner: string; due: string } };
    const stream = await this.rpc.request<ReadStreamResult>(Subjects.ledger.readStream, { streamId: postReviewStream(d.postReviewId), limit: 1 });
    const exceptionId = (stream.events[0]?.data as { exceptionId?: string } | undefined)?.exceptionId;
    if (!exceptionId) return { kind: 'ack' };
    const r = d.remediation;
    await this.store.execute(exceptionId, { type: 'AddRemediation', taskId: r.taskId, title: r.title, owner: r.owner, due: r.due, by: d.completedBy }, d.completedBy, e.occurredAt);
    return { kind: 'ack' };
  }

  private codes(): Map<string, CatalogCode> {
    return new Map(this.catalog.list().map((c) => [c.code, { code: c.code, owner: c.owner, slaMs: parseDuration(c.sla)! }]));
  }

  private async raise(e: RecordedEvent): Promise<Outcome> {
    const d = e.data as { workOrderId: string; exceptions?: ExceptionRef[] } & Partial<ExceptionRef>;
    const refs: ExceptionRef[] = e.type === WorkOrderEvents.Opened ? (d.exceptions ?? []) : [d as ExceptionRef];
    const actor = String((e.metadata as { actor?: string }).actor ?? 'unknown');
    for (const x of refs) {
      await this.store.execute(
        x.exceptionId,
        { type: 'RaiseException', exceptionId: x.exceptionId, workOrderId: d.workOrderId, stepId: x.stepId ?? null, code: x.code, rationale: x.rationale, by: actor, catalog: this.codes() },
        actor,
        e.occurredAt,
      );
    }
    return { kind: 'ack' };
  }
}
