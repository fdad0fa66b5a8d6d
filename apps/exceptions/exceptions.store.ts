import { ExceptionView } from '@workgate/contracts';
import { exceptions, ExceptionState } from '@workgate/domain';
import { storeFor } from '@workgate/messaging';

/** Exceptions as aggregates over the ledger (`exception-<id>`). */
export const ExceptionsStore = storeFor(exceptions);
export type ExceptionsStore = InstanceType<typeof ExceptionsStore>;

export function exceptionView(state: Exclude<ExceptionState, { status: 'none' }>): ExceptionView {
  const { status, exceptionId, workOrderId, stepId, code, owner, dueAt, slaBreached } = state;
  const remediations = state.remediations.map(({ taskId, title, owner: o, due, closed }) => ({ taskId, title, owner: o, due, closed }));
  return { exceptionId, status, workOrderId, stepId, code, owner, dueAt, slaBreached, remediations };
}
