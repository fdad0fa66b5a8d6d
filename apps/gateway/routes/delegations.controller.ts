import { Body, Controller, Get, Headers, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsArray, IsIn, IsISO8601, IsNumber, IsOptional, IsString, Matches, MaxLength, ValidateNested } from 'class-validator';
import { DelegationView, InboxMessage, Subjects, WorkgateError } from '@workgate/contracts';
import { RpcClient } from '@workgate/messaging';
import { CurrentPrincipal, Principal, Roles } from '../http';
import { commandMeta } from './command';

class ArtifactDto {
  @IsOptional() @IsString() @MaxLength(1000) path?: string;
  @IsOptional() @IsString() access?: string;
}

/** Parts may be missing here: the delegation contract names every missing part (422 prompt_incomplete). */
class PromptDto {
  @IsOptional() @IsString() @MaxLength(8000) objective?: string;
  @IsOptional() @IsString() @MaxLength(8000) scope?: string;
  @IsOptional() @IsArray() @ValidateNested({ each: true }) @Type(() => ArtifactDto) artifacts?: ArtifactDto[];
  @IsOptional() @IsArray() @IsString({ each: true }) verification?: string[];
  @IsOptional() @IsString() @MaxLength(8000) completion?: string;
}

class TimeoutsDto {
  @IsOptional() @IsString() initialWait?: string;
  @IsOptional() @IsString() reminderEvery?: string;
  @IsOptional() @IsNumber() backoff?: number;
  @IsOptional() @IsString() hardTimeout?: string;
}

class DispatchDto {
  @IsString() @Matches(/^[A-Za-z0-9][A-Za-z0-9_.@-]{0,99}$/, { message: 'recipient must be a principal id' }) recipient: string;
  @IsIn(['delegate_task', 'execute']) command: 'delegate_task' | 'execute';
  @ValidateNested() @Type(() => PromptDto) prompt: PromptDto;
  @IsOptional() @ValidateNested() @Type(() => TimeoutsDto) timeouts?: TimeoutsDto;
}

class InboxQuery {
  @IsOptional() @IsIn(['inbox']) box?: string;
  @IsOptional() @IsIn(['delegate_task', 'execute', 'all']) filter?: 'delegate_task' | 'execute' | 'all';
  @IsOptional() @IsISO8601() since?: string;
}

class ConfirmDto {
  @IsOptional() @IsString() @MaxLength(4000) note?: string;
}

const uuid = new ParseUUIDPipe({ exceptionFactory: () => new WorkgateError('not_found', 'no such id') });

/** Delegations under the timeout contract: completion is confirmed by an operator, never by the delegate. */
@ApiTags('delegations')
@ApiBearerAuth()
@Controller('v1')
export class DelegationsController {
  constructor(private readonly rpc: RpcClient) {}

  @Post('work-orders/:id/delegations')
  @Roles('operator')
  async dispatch(@Param('id', uuid) id: string, @Body() body: DispatchDto, @CurrentPrincipal() p: Principal, @Headers('idempotency-key') key?: string) {
    const view = await this.rpc.request<DelegationView>(Subjects.approvals.dispatch, { ...body, workOrderId: id, by: p.id, dispatchId: commandMeta(p, key).commandId }, { timeoutMs: 15_000 });
    return { dispatchId: view.dispatchId, dispatchCreatedAt: view.dispatchCreatedAt, reminders: view.reminders, timeoutAt: view.timeoutAt };
  }

  @Get('delegations/:dispatchId')
  @Roles('operator', 'ops-lead')
  get(@Param('dispatchId', uuid) dispatchId: string): Promise<DelegationView> {
    return this.rpc.request(Subjects.approvals.getDelegation, { dispatchId });
  }

  @Post('delegations/:dispatchId/confirm')
  @Roles('operator')
  @HttpCode(200)
  confirm(@Param('dispatchId', uuid) dispatchId: string, @Body() body: ConfirmDto, @CurrentPrincipal() p: Principal): Promise<DelegationView> {
    return this.rpc.request(Subjects.approvals.confirmDelegation, { dispatchId, by: p.id, note: body.note });
  }

  /** For visibility only: a message in the inbox is never completion. */
  @Get('inbox/:recipient')
  @Roles('operator')
  inbox(@Param('recipient') recipient: string, @Query() q: InboxQuery): Promise<InboxMessage[]> {
    return this.rpc.request(Subjects.approvals.inbox, { recipient, filter: q.filter ?? 'all', since: q.since });
  }
}
