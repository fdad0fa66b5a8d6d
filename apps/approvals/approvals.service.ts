import { Injectable } from '@nestjs/common';
import {
  AppendResult,
  ApprovalView,
  approvalStream,
  ReadStreamResult,
  Subjects,
  WorkgateError,
} from '@workgate/contracts';
import { ApprovalCommand, ApprovalEvent, ApprovalState, decideApproval, evolveApproval, initialApprovalState } from '@workgate/domain';
import { RpcClient } from '@workgate/messaging';
import { deterministicUuid } from '@workgate/domain';

const MAX_ATTEMPTS = 4;

/** Runs approval commands: load the stream, decide, append with the expected version, answer after commit. */
@Injectable()
export class ApprovalsService {
  constructor(private readonly rpc: RpcClient) {}

  async load(approvalId: string): Promise<{ state: ApprovalState; version: number }> {
    const stream = await this.rpc.request<ReadStreamResult>(Subjects.ledger.readStream, { streamId: approvalStream(approvalId) });
    const state = stream.events.reduce((s, e) => evolveApproval(s, { type: e.type, data: e.data } as ApprovalEvent), initialApprovalState());
    return { state, version: stream.version };
  }

  /** Decides and records; returns the approval after the commit. Retries on a concurrent change. */
  async execute(approvalId: string, command: ApprovalCommand, actor: string, now = new Date().toISOString()): Promise<ApprovalState> {
    for (let attempt = 1; ; attempt++) {
      const { state, version } = await this.load(approvalId);
      const events = decideApproval(command, state, now);
      if (events.length === 0) return state;
      try {
        await this.rpc.request<AppendResult>(Subjects.ledger.append, {
          streamId: approvalStream(approvalId),
          expectedVersion: version === 0 ? 'no_stream' : version,
          events: events.map((e, i) => ({
            eventId: deterministicUuid('approval', approvalId, String(version + i + 1), e.type),
            type: e.type,
            data: e.data as unknown as Record<string, unknown>,
            metadata: { actor },
            occurredAt: now,
          })),
        });
        return events.reduce(evolveApproval, state);
      } catch (error) {
        if ((error as WorkgateError).code !== 'version_conflict' || attempt >= MAX_ATTEMPTS) throw error;
      }
    }
  }
}

export function approvalView(state: ApprovalState): ApprovalView {
  if (state.status === 'none') throw new WorkgateError('not_found', 'no such approval');
  const { status, approvalId, workOrderId, actionId, owner, requestedBy, requestedAt, expiresAt } = state;
  return {
    approvalId,
    status,
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
