import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsIn, IsNotEmpty, IsOptional, IsString, Matches, MaxLength, ValidateNested } from 'class-validator';
import { ApprovalView, EvidenceDto, Subjects } from '@workgate/contracts';
import { RpcClient } from '@workgate/messaging';
import { CurrentPrincipal, Principal, Roles } from '../http';

class PermittedActionDto {
  @IsString() @IsNotEmpty() system: string;
  @IsString() @IsNotEmpty() operation: string;
  @IsIn(['read', 'write']) kind: 'read' | 'write';
  @IsOptional() @IsArray() @IsString({ each: true }) objects?: string[];
}

class DecisionDto {
  @IsIn(['approve', 'reject', 'conditional']) decision: 'approve' | 'reject' | 'conditional';
  @IsOptional() @ValidateNested() @Type(() => PermittedActionDto) permittedAction?: PermittedActionDto;
  @IsOptional() @IsArray() @ArrayMaxSize(20) @IsString({ each: true }) @MaxLength(1000, { each: true }) conditions?: string[];
  @IsOptional() @IsString() @MaxLength(4000) note?: string;
}

class QueueQuery {
  @IsOptional() @IsString() owner?: string;
  @IsOptional() @IsIn(['requested', 'conditional', 'approved', 'rejected', 'expired']) status?: string;
  @IsOptional() @Matches(/^\d{1,4}$/, { message: 'limit must be a number up to 1000' }) limit?: string;
}

class CloseConditionDto {
  @ValidateNested() @Type(() => EvidenceDto) evidence: EvidenceDto;
}

/** Approvals: only the named owner decides, never the requester (403 `not_owner` / `self_approval`). */
@ApiTags('approvals')
@ApiBearerAuth()
@Controller('v1/approvals')
export class ApprovalsController {
  constructor(private readonly rpc: RpcClient) {}

  /** The approval queue, oldest first, with age. */
  @Get()
  @Roles('approver', 'ops-lead')
  list(@Query() q: QueueQuery) {
    return this.rpc.request(Subjects.ledger.listApprovals, { owner: q.owner, status: q.status, limit: q.limit === undefined ? undefined : Number(q.limit) });
  }

  @Get(':id')
  @Roles('approver', 'ops-lead')
  get(@Param('id') id: string): Promise<ApprovalView> {
    return this.rpc.request(Subjects.approvals.get, { approvalId: id });
  }

  @Post(':id/decision')
  @Roles('approver')
  @HttpCode(200)
  decide(@Param('id') id: string, @Body() body: DecisionDto, @CurrentPrincipal() p: Principal): Promise<ApprovalView> {
    return this.rpc.request(Subjects.approvals.decide, { approvalId: id, by: p.id, ...body });
  }

  @Post(':id/conditions/:conditionId/close')
  @Roles('approver')
  @HttpCode(200)
  closeCondition(@Param('id') id: string, @Param('conditionId') conditionId: string, @Body() body: CloseConditionDto, @CurrentPrincipal() p: Principal): Promise<ApprovalView> {
    return this.rpc.request(Subjects.approvals.closeCondition, { approvalId: id, conditionId, by: p.id, evidence: body.evidence });
  }
}
