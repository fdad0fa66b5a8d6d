import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { IsIn, IsISO8601, IsOptional, Matches } from 'class-validator';
import {
  CommandMeta,
  CommandReply,
  ConfirmDelegationDto,
  DelegationView,
  DispatchDelegationDto,
  InboxMessage,
  Subjects,
  WorkgateError,
  Written,
} from '@workgate/contracts';
import { RpcClient } from '@workgate/messaging';
import { Documented } from '../openapi';
import { CurrentPrincipal, Principal, ReadsViews, Roles } from '../http';
import { byOf, Meta, sendCommand } from './command';

class InboxQuery {
  @IsOptional() @IsIn(['inbox']) box?: string;
  @IsOptional() @IsIn(['delegate_task', 'execute', 'all']) filter?: 'delegate_task' | 'execute' | 'all';
  @IsOptional() @IsISO8601({ strict: true }) since?: string;
  @IsOptional()
  @Matches(/^([1-9]\d{0,2}|1000)$/, { message: 'limit must be a whole number from 1 to 1000' })
  limit?: string;
}

/** A recipient as delegations name it (docs/api.md, Routes: a principal id, as `GET /v1/inbox/:recipient`). */
const RECIPIENT = /^[A-Za-z0-9][A-Za-z0-9_.@-]{0,99}$/;

const uuid = new ParseUUIDPipe({ exceptionFactory: () => new WorkgateError('not_found', 'no such id') });

/** Delegations under the timeout contract: completion is confirmed by an operator, never by the delegate. */
@ApiTags('delegations')
@Controller('v1')
export class DelegationsController {
  constructor(private readonly rpc: RpcClient) {}

  /** A work-order command: the delegation exists (and can be confirmed) once this answers. */
  @Post('work-orders/:id/delegations')
  @Roles('operator')
  @Documented(
    'Delegate a task under the timeout contract',
    'DelegationAnswer',
    "Sends the prompt to the recipient's inbox with reminders and a hard timeout; completion is confirmed by an operator, never by the delegate.",
  )
  dispatch(
    @Param('id', uuid) id: string,
    @Body() body: DispatchDelegationDto,
    @Meta() meta: CommandMeta,
  ): Promise<CommandReply> {
    return sendCommand(this.rpc, id, { type: 'DispatchDelegation', body }, meta);
  }

  @Get('delegations/:dispatchId')
  @Roles('operator', 'ops-lead')
  @Documented('A delegation', 'DelegationView')
  get(@Param('dispatchId', uuid) dispatchId: string): Promise<DelegationView> {
    return this.rpc.request(Subjects.approvals.getDelegation, { dispatchId });
  }

  @Post('delegations/:dispatchId/confirm')
  @Roles('operator')
  @HttpCode(200)
  @Documented("Confirm a delegation's completion", 'DelegationView')
  confirm(
    @Param('dispatchId', uuid) dispatchId: string,
    @Body() body: ConfirmDelegationDto,
    @CurrentPrincipal() p: Principal,
  ): Promise<Written<DelegationView>> {
    return this.rpc.request(Subjects.approvals.confirmDelegation, { dispatchId, ...byOf(p), ...body });
  }

  /** For visibility only: a message in the inbox is never completion. Oldest first; reads the caller's own dispatches at once. */
  @Get('inbox/:recipient')
  @Roles('operator')
  @ReadsViews()
  @Documented(
    "A recipient's inbox",
    ['InboxMessage'],
    'Oldest first. For visibility only: a message in the inbox is never completion.',
  )
  inbox(@Param('recipient') recipient: string, @Query() q: InboxQuery): Promise<InboxMessage[]> {
    if (!RECIPIENT.test(recipient)) {
      throw new WorkgateError(
        'validation_failed',
        'a recipient is a principal id: a letter or digit, then up to 99 of letters, digits, _ . @ -',
        [{ path: 'param:recipient', message: 'must be a principal id' }],
      );
    }
    return this.rpc.request(Subjects.ledger.inbox, {
      recipient,
      filter: q.filter ?? 'all',
      since: q.since,
      limit: q.limit === undefined ? undefined : Number(q.limit),
    });
  }
}
