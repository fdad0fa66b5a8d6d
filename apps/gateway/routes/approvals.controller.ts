import { Body, Controller, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { IsIn, IsOptional, IsString, Matches } from 'class-validator';
import {
  ApprovalQueueRow,
  ApprovalView,
  CHANGE_KINDS,
  ChangeKind,
  CloseConditionDto,
  DecideApprovalDto,
  Subjects,
  WorkgateError,
  Written,
} from '@workgate/contracts';
import { RpcClient } from '@workgate/messaging';
import { Documented, pagedList } from '../openapi';
import { CurrentPrincipal, Principal, ReadsViews, Roles } from '../http';
import { ApprovalSubjects } from './approval-subjects';
import { byOf } from './command';
import { withChangeSettled } from './workflow-changes.controller';

/** The most approvals one page of the queue holds (docs/api.md). */
export const MAX_PAGE = 1000;

class QueueQuery {
  @IsOptional() @IsString() owner?: string;
  @IsOptional()
  @IsIn(['requested', 'conditional', 'pending', 'approved', 'rejected', 'expired', 'withdrawn'])
  status?: string;
  /** Only the approvals of workflow changes, or of pattern changes. */
  @IsOptional() @IsIn([...CHANGE_KINDS]) kind?: ChangeKind;
  @IsOptional()
  @Matches(/^(?:[1-9]\d{0,2}|1000)$/, { message: 'limit must be a number from 1 to 1000' })
  limit?: string;
  /** The cursor of the previous page's `Link: rel="next"`. */
  @IsOptional()
  @Matches(/^[A-Za-z0-9_-]{1,400}$/, { message: 'after must be the cursor of a Link: rel="next" header' })
  after?: string;
}

/** The queue's order is (requestedAt, approvalId): a cursor names the last row of a page. */
const cursorOf = ({ requestedAt, approvalId }: ApprovalQueueRow): string =>
  Buffer.from(
    `${typeof requestedAt === 'string' ? requestedAt : ''} ${typeof approvalId === 'string' ? approvalId : ''}`,
  ).toString('base64url');

function afterOf(cursor: string | undefined): { requestedAt: string; approvalId: string } | undefined {
  if (cursor === undefined) return undefined;
  const [requestedAt, approvalId, ...rest] = Buffer.from(cursor, 'base64url').toString('utf8').split(' ');
  if (rest.length > 0 || !approvalId || Number.isNaN(Date.parse(requestedAt)))
    throw new WorkgateError('validation_failed', 'after must be the cursor of a Link: rel="next" header', [
      { path: 'after', message: 'not a cursor this queue gave' },
    ]);
  return { requestedAt, approvalId };
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
    pagedList('ApprovalQueueRow', 'the queue has more after this page'),
    'Oldest first, with age, one page of at most `limit` (1-1000, default 1000) rows; `after` (the cursor of the `Link: rel="next"` header) answers the next page; filter by owner, status (`pending`: requested or conditional) and `kind` (`workflow-change` or `pattern-change`: only the approvals of such changes). Each row carries what its card shows, as the approval does: `kind`, `requestedAction`, a conditional approval\'s `conditions`, a work order\'s `subject` (private values masked as on the approval) and the `decision` that held its action.',
  )
  async list(
    @Query() q: QueueQuery,
    @CurrentPrincipal() p: Principal,
    @Res({ passthrough: true }) res: FastifyReply,
  ): Promise<ApprovalQueueRow[]> {
    const limit = q.limit === undefined ? MAX_PAGE : Number(q.limit);
    const rows = await this.rpc.request(Subjects.ledger.listApprovals, {
      owner: q.owner,
      status: q.status,
      kind: q.kind,
      limit: limit + 1,
      after: afterOf(q.after),
    });
    const page = rows.slice(0, limit);
    if (rows.length > limit) {
      const next = new URLSearchParams({
        ...(q.owner ? { owner: q.owner } : {}),
        ...(q.status ? { status: q.status } : {}),
        ...(q.kind ? { kind: q.kind } : {}),
        limit: String(limit),
        after: cursorOf(page[page.length - 1]),
      });
      void res.header('Link', `</v1/approvals?${next}>; rel="next"`);
    }
    return this.subjects.add(page, p);
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
  async decide(
    @Param('id') id: string,
    @Body() body: DecideApprovalDto,
    @CurrentPrincipal() p: Principal,
  ): Promise<Written<ApprovalView>> {
    return withChangeSettled(
      this.rpc,
      await this.rpc.request(Subjects.approvals.decide, { approvalId: id, ...byOf(p), ...body }),
    );
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
