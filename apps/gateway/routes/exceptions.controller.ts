import { Body, Controller, Get, Headers, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { IsIn, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import {
  CloseRemediationDto,
  ExceptionListItem,
  ExceptionListQuery,
  ExceptionView,
  RemediationDto,
  ResolveExceptionDto,
  Subjects,
  Written,
} from '@workgate/contracts';
import { RpcClient } from '@workgate/messaging';
import { Documented, pagedList } from '../openapi';
import { CurrentPrincipal, Principal, ReadsViews, Roles } from '../http';
import { byOf, commandMeta } from './command';
import { columnsOf, CURSOR_MESSAGE, CURSOR_PATTERN, pageOf, timeOf, uuidOf } from './page-cursor';

/** The exception a cursor names by the list's order (owner, due time, id). */
function afterOf(cursor: string | undefined): ExceptionListQuery['after'] {
  const columns = columnsOf(cursor, 3);
  if (!columns) return undefined;
  const [owner, dueAt, exceptionId] = columns;
  return { owner, dueAt: timeOf(dueAt), exceptionId: uuidOf(exceptionId) };
}

class ExceptionsQuery {
  @IsOptional() @IsString() @MaxLength(200) owner?: string;
  /** Only those escalated to this principal. */
  @IsOptional() @IsString() @MaxLength(200) escalatedTo?: string;
  @IsOptional() @IsIn(['open', 'resolved', 'all']) status?: 'open' | 'resolved' | 'all';
  @IsOptional() @Matches(/^\d{1,4}$/, { message: 'limit must be a number up to 1000' }) limit?: string;
  /** The cursor of the previous page's `Link: rel="next"`. */
  @IsOptional() @Matches(CURSOR_PATTERN, { message: CURSOR_MESSAGE }) after?: string;
}

@ApiTags('exceptions')
@Controller('v1/exceptions')
export class ExceptionsController {
  constructor(private readonly rpc: RpcClient) {}

  @Get()
  @ReadsViews()
  @Documented(
    'List exceptions',
    pagedList('ExceptionListItem', 'more exceptions follow this page'),
    'By owner, the soonest due first, with the work order\'s reference; the open ones unless `status` is `resolved` or `all`; `escalatedTo` keeps those escalated to one principal. One page of at most `limit` (1-1000, default 500) rows; `after` (the cursor of the `Link: rel="next"` header) answers the next page.',
  )
  async list(@Query() q: ExceptionsQuery, @Res({ passthrough: true }) res: FastifyReply): Promise<ExceptionListItem[]> {
    const limit = Math.min(Math.max(q.limit === undefined ? 500 : Number(q.limit), 1), 1000);
    const { owner, escalatedTo, status } = q;
    const rows = await this.rpc.request(Subjects.ledger.listExceptions, {
      owner,
      escalatedTo,
      status,
      limit: limit + 1,
      after: afterOf(q.after),
    });
    return pageOf(rows, limit, res, {
      path: '/v1/exceptions',
      query: { owner, escalatedTo, status },
      columns: (r) => [r.owner, r.dueAt, r.exceptionId],
    });
  }

  @Get(':id')
  @Documented('An exception', 'ExceptionView')
  get(@Param('id') id: string): Promise<ExceptionView> {
    return this.rpc.request(Subjects.exceptions.get, { exceptionId: id });
  }

  @Post(':id/remediations')
  @Roles('operator', 'ops-lead')
  @Documented('Add a remediation task', 'ExceptionView')
  addRemediation(
    @Param('id') id: string,
    @Body() body: RemediationDto,
    @CurrentPrincipal() p: Principal,
    @Headers('idempotency-key') key?: string,
  ): Promise<Written<ExceptionView>> {
    return this.rpc.request(Subjects.exceptions.addRemediation, {
      exceptionId: id,
      taskId: commandMeta(p, key).commandId,
      ...byOf(p),
      ...body,
    });
  }

  @Post(':id/remediations/:taskId/close')
  @Roles('operator', 'ops-lead')
  @HttpCode(200)
  @Documented('Close a remediation task with evidence', 'ExceptionView')
  closeRemediation(
    @Param('id') id: string,
    @Param('taskId') taskId: string,
    @Body() body: CloseRemediationDto,
    @CurrentPrincipal() p: Principal,
  ): Promise<Written<ExceptionView>> {
    return this.rpc.request(Subjects.exceptions.closeRemediation, {
      exceptionId: id,
      taskId,
      ...byOf(p),
      evidence: body.evidence,
    });
  }

  @Post(':id/resolve')
  @Roles('operator')
  @HttpCode(200)
  @Documented('Resolve an exception', 'ExceptionView', 'With a resolution, evidence, or both.')
  resolve(
    @Param('id') id: string,
    @Body() body: ResolveExceptionDto,
    @CurrentPrincipal() p: Principal,
  ): Promise<Written<ExceptionView>> {
    return this.rpc.request(Subjects.exceptions.resolve, { exceptionId: id, ...byOf(p), ...body });
  }
}
