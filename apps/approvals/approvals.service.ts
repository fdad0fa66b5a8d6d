import { Injectable } from '@nestjs/common';
import { ApprovalView, approvalStream, WorkgateError } from '@workgate/contracts';
import { ApprovalCommand, ApprovalEvent, ApprovalState, decideApproval, deterministicUuid, evolveApproval, initialApprovalState } from '@workgate/domain';
import { AggregateStore, RpcClient } from '@workgate/messaging';

/** Approvals as an aggregate over the ledger (`approval-<id>`). */
@Injectable()
export class ApprovalsService extends AggregateStore<ApprovalState, ApprovalCommand, ApprovalEvent> {
  constructor(rpc: RpcClient) {
    super(rpc, {
      streamOf: approvalStream,
      initial: initialApprovalState,
      evolve: evolveApproval,
      decide: decideApproval,
      eventId: (id, version, type) => deterministicUuid('approval', id, String(version), type),
    });
  }
}

export function approvalView(state: ApprovalState): ApprovalView {
  if (state.status === 'none') throw new WorkgateError('not_found', 'no such approval');
  const { status, approvalId, workOrderId, actionId, owner, requestedBy, requestedAt, expiresAt, kind, action } = state;
  return {
    approvalId,
    status,
    ...(kind ? { kind } : {}),
    ...(action ? { requestedAction: action } : {}),
    workOrderId,
    actionId,
    owner,
    requestedBy,
    requestedAt,
    expiresAt,
    ...('decidedBy' in state ? { decidedBy: state.decidedBy } : {}),
    ...('permittedAction' in state ? { permittedAction: state.permittedAction } : {}),
    ...(state.status === 'conditional' ? { conditions: state.conditions.map(({ conditionId, text, closed }) => ({ conditionId, text, closed })) } : {}),
  };
}
