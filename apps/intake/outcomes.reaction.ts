import { Injectable } from '@nestjs/common';
import { dataOf, ledgerEventSubject, ledgerStreamSubjects, RecordedEvent, WorkgateError } from '@workgate/contracts';
import { deterministicUuid, recordedOutcomeOf, WorkOrderCommand } from '@workgate/domain';
import {
  LedgerConsumers,
  firstEventOf,
  LedgerReaction,
  LedgerReactions,
  Outcome,
  RpcClient,
} from '@workgate/messaging';
import { WorkOrdersService } from './work-orders.service';

/**
 * What other aggregates decide later comes back to its work order from the ledger: a delegation
 * nobody confirmed in time (the work order stops), and an approval's outcome or an exception's
 * resolution that was not recorded with it (a decision or a resolution commits its outcome on the
 * work order in the same commit; this finds it applied and records nothing). Each is a work-order
 * command whose id derives from the deciding event.
 */
@Injectable()
export class OutcomeReactions extends LedgerReactions {
  constructor(
    consumers: LedgerConsumers,
    private readonly workOrders: WorkOrdersService,
    private readonly rpc: RpcClient,
  ) {
    super(consumers, 'intake');
  }

  protected reactions(): LedgerReaction[] {
    return [
      { durable: 'intake-approval-outcomes', subject: ledgerStreamSubjects('approval'), react: (e) => this.outcome(e) },
      {
        durable: 'intake-exception-outcomes',
        subject: ledgerEventSubject('exception', 'ExceptionResolved'),
        react: (e) => this.outcome(e),
      },
      {
        durable: 'intake-delegation-timeouts',
        subject: ledgerEventSubject('delegation', 'DelegationTimedOut'),
        react: (e) => this.delegationTimedOut(e),
      },
    ];
  }

  /** Runs the command (from the service that decided `e`) on the work order the aggregate of `e` belongs to, named by the first event of its stream. */
  private async apply(
    e: RecordedEvent,
    channel: 'approvals' | 'exceptions',
    commandId: string,
    actor: string,
    command: WorkOrderCommand,
  ): Promise<Outcome> {
    const data: unknown = (await firstEventOf(this.rpc, e.streamId))?.data;
    const workOrderId =
      typeof data === 'object' && data !== null && 'workOrderId' in data ? data.workOrderId : undefined;
    // A workflow-change approval belongs to its job type: the policy service settles it.
    if (typeof workOrderId !== 'string' && typeof data === 'object' && data !== null && 'change' in data)
      return { kind: 'ack' };
    if (typeof workOrderId !== 'string') return { kind: 'reject', reason: `${e.streamId} names no work order` };
    try {
      await this.workOrders.execute({
        address: { workOrderId },
        command,
        meta: { commandId, actor, now: e.occurredAt, channel },
      });
      return { kind: 'ack' };
    } catch (error) {
      if ((error as WorkgateError).code === 'not_found') return { kind: 'reject', reason: (error as Error).message };
      throw error;
    }
  }

  /**
   * An approval's outcome or an exception's resolution recorded without it (by an earlier version,
   * or when the work order could not take it then): applied once, by its command id.
   */
  private outcome(e: RecordedEvent): Promise<Outcome> | Outcome {
    const outcome = recordedOutcomeOf(e);
    if (!outcome) return { kind: 'ack' };
    return this.apply(e, outcome.channel, outcome.commandId, outcome.actor, outcome.command);
  }

  /** A delegation nobody confirmed in time stops its work order with the reason. */
  private delegationTimedOut(e: RecordedEvent): Promise<Outcome> {
    const { dispatchId, reason } = dataOf(e, 'delegation', 'DelegationTimedOut');
    return this.apply(e, 'approvals', deterministicUuid('delegation-timed-out', dispatchId), 'approvals', {
      type: 'StopWorkOrder',
      reason,
      ref: dispatchId,
    });
  }
}
