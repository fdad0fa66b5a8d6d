import { randomUUID } from 'node:crypto';
import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import type { Response } from 'express';
import { map, Observable } from 'rxjs';
import { CommandMeta, CommandReply, LedgerHeaders, Subjects, WorkOrderAnswer, WorkOrderCommand } from '@workgate/contracts';
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

function isCommandReply(value: unknown): value is CommandReply {
  return typeof value === 'object' && value !== null && 'answer' in value && typeof (value as CommandReply).position === 'number';
}

/**
 * Answers a route's command reply with its answer, and the ledger position of the commit that
 * recorded it in `Workgate-Position` (SPEC section 3a).
 */
@Injectable()
export class CommandReplyInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    return next.handle().pipe(
      map((value): unknown => {
        if (!isCommandReply(value)) return value;
        context.switchToHttp().getResponse<Response>().setHeader(LedgerHeaders.position, String(value.position));
        return value.answer satisfies WorkOrderAnswer;
      }),
    );
  }
}
