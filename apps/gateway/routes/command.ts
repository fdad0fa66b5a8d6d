import { randomUUID } from 'node:crypto';
import { CommandMeta, Subjects, WorkOrderAnswer, WorkOrderCommand } from '@workgate/contracts';
import { deterministicUuid } from '@workgate/domain';
import { RpcClient } from '@workgate/messaging';
import { Principal } from '../http';

/**
 * The command id of an HTTP write: derived from the caller and its Idempotency-Key, so a replay
 * answers as the first time and writes nothing; a fresh id without the header.
 */
export function commandMeta(principal: Principal, idempotencyKey: string | undefined): CommandMeta {
  const key = idempotencyKey?.trim();
  return {
    commandId: key ? deterministicUuid('http', principal.id, key) : randomUUID(),
    actor: principal.id,
    now: new Date().toISOString(),
    channel: 'http',
  };
}

export function sendCommand(rpc: RpcClient, workOrderId: string | undefined, command: WorkOrderCommand, meta: CommandMeta): Promise<WorkOrderAnswer> {
  return rpc.request<WorkOrderAnswer>(Subjects.intake.command, { address: workOrderId ? { workOrderId } : {}, command, meta }, { timeoutMs: 15_000 });
}
