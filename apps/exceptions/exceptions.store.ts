import { Injectable } from '@nestjs/common';
import { ExceptionView } from '@workgate/contracts';
import { exceptions, ExceptionState, workOrderChangedBy } from '@workgate/domain';
import { RpcClient, startsLedgerOver, storeFor, StreamStarts } from '@workgate/messaging';

/**
 * Exceptions as aggregates over the ledger (`exception-<id>`). A resolution changes its work order
 * too (the exception no longer blocks it): intake, which decides the work order, commits the
 * resolution with that change in one commit, so the resolution's position covers both.
 */
export const ExceptionsStore = storeFor(exceptions, workOrderChangedBy);
export type ExceptionsStore = InstanceType<typeof ExceptionsStore>;

export function exceptionView(state: Exclude<ExceptionState, { status: 'none' }>): ExceptionView {
  const { status, exceptionId, workOrderId, stepId, code, owner, dueAt, slaBreached, escalation } = state;
  const remediations = state.remediations.map(({ taskId, title, owner: o, due, closed }) => ({
    taskId,
    title,
    owner: o,
    due,
    closed,
  }));
  return { exceptionId, status, workOrderId, stepId, code, owner, dueAt, slaBreached, escalation, remediations };
}

/**
 * The exceptions committed work-order events raise: this service alone writes them (docs/ledger.md,
 * Who writes which stream), asked by intake (`workgate.exceptions.start`) or from its own ledger
 * reactions (RemediationReactions).
 */
@Injectable()
export class ExceptionStarts extends StreamStarts {
  constructor(rpc: RpcClient) {
    super(startsLedgerOver(rpc), 'exceptions');
  }
}
