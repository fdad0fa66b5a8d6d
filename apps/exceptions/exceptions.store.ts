import { Injectable } from '@nestjs/common';
import { exceptionStream, ExceptionView, WorkgateError } from '@workgate/contracts';
import { decideException, deterministicUuid, evolveException, ExceptionCommand, ExceptionEvent, ExceptionState, initialExceptionState } from '@workgate/domain';
import { AggregateStore, RpcClient } from '@workgate/messaging';

/** Exceptions as aggregates over the ledger (`exception-<id>`). */
@Injectable()
export class ExceptionsStore extends AggregateStore<ExceptionState, ExceptionCommand, ExceptionEvent> {
  constructor(rpc: RpcClient) {
    super(rpc, {
      streamOf: exceptionStream,
      initial: initialExceptionState,
      evolve: evolveException,
      decide: decideException,
      eventId: (id, version, type) => deterministicUuid('exception', id, String(version), type),
    });
  }
}

export function exceptionView(state: ExceptionState): ExceptionView {
  if (state.status === 'none') throw new WorkgateError('not_found', 'no such exception');
  const { status, exceptionId, workOrderId, stepId, code, owner, dueAt, slaBreached } = state;
  const remediations = state.remediations.map(({ taskId, title, owner: o, due, closed }) => ({ taskId, title, owner: o, due, closed }));
  return { exceptionId, status, workOrderId, stepId, code, owner, dueAt, slaBreached, remediations };
}
