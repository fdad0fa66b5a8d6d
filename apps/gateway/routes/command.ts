import { randomUUID } from 'node:crypto';
import { CommandMeta, CommandReply, Subjects, WorkOrderCommand } from '@workgate/contracts';
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

/** Sends a work-order command to the service that owns work orders; its reply carries the answer and the commit's ledger position. */
export function sendCommand(rpc: RpcClient, workOrderId: string | undefined, command: WorkOrderCommand, meta: CommandMeta): Promise<CommandReply> {
  return rpc.request(Subjects.intake.command, { address: workOrderId ? { workOrderId } : {}, command, meta }, { timeoutMs: 15_000 });
}
