import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Matches } from 'class-validator';
import {
  ApprovalQueueRow,
  ApprovalView,
  CloseConditionDto,
  DecideApprovalDto,
  Subjects,
  Written,
} from '@workgate/contracts';
import { RpcClient } from '@workgate/messaging';
import { Documented, ref } from '../openapi';
import { CurrentPrincipal, Principal, ReadsViews, Roles } from '../http';
import { ApprovalSubjects } from './approval-subjects';
import { byOf } from './command';

class QueueQuery {
  @IsOptional() @IsString() owner?: string;
  @IsOptional() @IsIn(['requested', 'conditional', 'approved', 'rejected', 'expired', 'withdrawn']) status?: string;
  @IsOptional() @Matches(/^\d{1,4}$/, { message: 'limit must be a number up to 1000' }) limit?: string;
}

/** Approvals: only the named owner decides, never the requester (403 `not_owner` / `self_approval`). */
@ApiTags('approvals')
@Controller('v1/approvals')
export class ApprovalsController {
  constructor(
    private readonly rpc: RpcClient,
    private readonly subjects: ApprovalSubjects,
  ) {}

  /** The approval queue, oldest first, with age. */
  @Get()
  @Roles('approver', 'ops-lead')
  @ReadsViews()
  @Documented(
    'The approval queue',
    { type: 'array', items: ref('ApprovalQueueRow') },
    "Oldest first, with age; filter by owner and status. A conditional approval's row lists its `conditions`, as the approval does; each row of a work order carries its `subject`, as the approval does.",
  )
  async list(@Query() q: QueueQuery, @CurrentPrincipal() p: Principal): Promise<ApprovalQueueRow[]> {
    const rows = await this.rpc.request(Subjects.ledger.listApprovals, {
      owner: q.owner,
      status: q.status,
      limit: q.limit === undefined ? undefined : Number(q.limit),
    });
    return this.subjects.add(rows, p);
  }

  @Get(':id')
  @Roles('approver', 'ops-lead', 'operator', 'integrator')
  @Documented(
    'An approval',
    'ApprovalView',
    "With its `subject` (an approval of a work order): the action that waits with its objects and facts, a tool call's arguments and the SHA-256 the approval is bound to, or the action a gate stopped, and what approving releases. Credential-shaped text in facts and arguments is masked but for the approval's owner and ops leads.",
  )
  async get(@Param('id') id: string, @CurrentPrincipal() p: Principal): Promise<ApprovalView> {
    const [view] = await this.subjects.add([await this.rpc.request(Subjects.approvals.get, { approvalId: id })], p);
    return view;
  }

  @Post(':id/decision')
  @Roles('approver')
  @HttpCode(200)
  @Documented(
    'Decide an approval',
    'ApprovalView',
    'Only the named owner decides, never the requester. `approve` names the permitted action; `conditional` lists the conditions to close with evidence. A replay with the same Idempotency-Key answers the first decision.',
  )
  decide(
    @Param('id') id: string,
    @Body() body: DecideApprovalDto,
    @CurrentPrincipal() p: Principal,
  ): Promise<Written<ApprovalView>> {
    return this.rpc.request(Subjects.approvals.decide, { approvalId: id, ...byOf(p), ...body });
  }

  @Post(':id/conditions/:conditionId/close')
  @Roles('approver')
  @HttpCode(200)
  @Documented('Close a condition with evidence', 'ApprovalView')
  closeCondition(
    @Param('id') id: string,
    @Param('conditionId') conditionId: string,
    @Body() body: CloseConditionDto,
    @CurrentPrincipal() p: Principal,
  ): Promise<Written<ApprovalView>> {
    return this.rpc.request(Subjects.approvals.closeCondition, {
      approvalId: id,
      conditionId,
      ...byOf(p),
      evidence: body.evidence,
    });
  }
}
