import { randomUUID } from 'node:crypto';
import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import {
  CommandMeta,
  CommandReply,
  IntakeInProcess,
  Subjects,
  WorkOrderAnswer,
  WorkgateError,
  WorkOrderCommand,
} from '@workgate/contracts';
import { deterministicUuid } from '@workgate/domain';
import { RpcClient } from '@workgate/messaging';
import { Principal, RequestWithPrincipal } from '../http';

/**
 * The command id of an HTTP write: derived from the caller and its Idempotency-Key, so a replay
 * answers as the first time and writes nothing; a fresh id without the header.
 */
export function commandMeta(principal: Principal, idempotencyKey: string | undefined): CommandMeta {
  const key = idempotencyKey?.trim();
  return {
    commandId: key ? deterministicUuid('http', principal.id, key) : randomUUID(),
    actor: principal.id,
    ...(principal.signedIn ? { signedIn: { ...principal.signedIn } } : {}),
    now: new Date().toISOString(),
    channel: 'http',
  };
}

/** Who sends a command to an approval, post-review, delegation or exception: the principal's id, and its issuer and subject when a person signed in. */
export function byOf(principal: Principal): { by: string; signedIn?: { issuer: string; subject: string } } {
  return principal.signedIn ? { by: principal.id, signedIn: { ...principal.signedIn } } : { by: principal.id };
}

/**
 * The CommandMeta of the HTTP write a route handles: its caller (the AuthGuard's principal) and
 * its Idempotency-Key, as `commandMeta` makes it.
 */
export const Meta = createParamDecorator((_data: unknown, ctx: ExecutionContext): CommandMeta => {
  const req = ctx.switchToHttp().getRequest<RequestWithPrincipal>();
  if (!req.principal)
    throw new WorkgateError('unauthorized', 'an API key is required: send Authorization: Bearer <api key>');
  const key = req.headers['idempotency-key'];
  return commandMeta(req.principal, typeof key === 'string' ? key : undefined);
});

/** How long a command may take, its commit included. */
const COMMAND_TIMEOUT_MS = 15_000;

const commandRequest = (workOrderId: string | undefined, command: WorkOrderCommand, meta: CommandMeta) => ({
  address: workOrderId ? { workOrderId } : {},
  command,
  meta,
});

/** Sends a work-order command to the service that owns work orders; its reply carries the answer and the commit's ledger position. */
export function sendCommand(
  rpc: RpcClient,
  workOrderId: string | undefined,
  command: WorkOrderCommand,
  meta: CommandMeta,
): Promise<CommandReply> {
  return rpc.request(Subjects.intake.command, commandRequest(workOrderId, command, meta), {
    timeoutMs: COMMAND_TIMEOUT_MS,
  });
}

/**
 * The same, through intake's in-process route when intake runs in this process: `decided` is then
 * told the answer as soon as intake has decided it, before its commit. Across NATS it is told
 * nothing and the reply is all there is. The reply, as always, comes after the commit. Callers that
 * use it for every command on a work order keep their order (one route, no hop in between).
 */
export function sendCommandInProcess(
  rpc: RpcClient,
  workOrderId: string,
  command: WorkOrderCommand,
  meta: CommandMeta,
  decided: (answer: WorkOrderAnswer) => void = () => undefined,
): Promise<CommandReply> {
  if (!rpc.answersInProcess(IntakeInProcess.commandDecided.subject))
    return sendCommand(rpc, workOrderId, command, meta);
  return rpc.request(
    IntakeInProcess.commandDecided,
    { request: commandRequest(workOrderId, command, meta), decided },
    { timeoutMs: COMMAND_TIMEOUT_MS },
  );
}
