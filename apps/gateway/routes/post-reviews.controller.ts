import { Body, Controller, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { IsIn, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { CompletePostReviewDto, PostReviewView, Subjects, ViewQuery, ViewRow, Written } from '@workgate/contracts';
import { RpcClient } from '@workgate/messaging';
import { Documented, pagedList, viewSchemaName } from '../openapi';
import { CurrentPrincipal, Principal, ReadsViews, Roles } from '../http';
import { byOf } from './command';
import { columnsOf, CURSOR_MESSAGE, CURSOR_PATTERN, pageOf, timeOf, uuidOf } from './page-cursor';

/** The post-review a cursor names by the list's order (owner, due time, id). */
function afterOf(cursor: string | undefined): ViewQuery['after'] {
  const columns = columnsOf(cursor, 3);
  if (!columns) return undefined;
  const [owner, dueAt, postReviewId] = columns;
  return { owner, dueAt: timeOf(dueAt), postReviewId: uuidOf(postReviewId) };
}

/** A view row's column as text (the cursor's columns). */
const text = (v: ViewRow[string]): string => (v === null ? '' : String(v));

class PostReviewsQuery {
  @IsOptional() @IsString() @MaxLength(200) owner?: string;
  @IsOptional() @IsIn(['true', 'false']) overdue?: 'true' | 'false';
  @IsOptional() @Matches(/^\d{1,4}$/, { message: 'limit must be a number up to 1000' }) limit?: string;
  /** The cursor of the previous page's `Link: rel="next"`. */
  @IsOptional() @Matches(CURSOR_PATTERN, { message: CURSOR_MESSAGE }) after?: string;
}

@ApiTags('post-reviews')
@Controller('v1/post-reviews')
export class PostReviewsController {
  constructor(private readonly rpc: RpcClient) {}

  /** A reviewer's work list: the post-reviews still open, the longest overdue first. */
  @Get()
  @Roles('approver', 'ops-lead')
  @ReadsViews()
  @Documented(
    'Open post-reviews',
    pagedList(viewSchemaName('post-reviews'), 'more post-reviews follow this page'),
    'The post-reviews not yet completed, by owner, the longest overdue first, each with its work order\'s reference and its exception\'s code and status; `overdue=true` keeps those past due. One page of at most `limit` (1-1000, default 1000) rows; `after` (the cursor of the `Link: rel="next"` header) answers the next page.',
  )
  async list(@Query() q: PostReviewsQuery, @Res({ passthrough: true }) res: FastifyReply): Promise<ViewRow[]> {
    const limit = Math.min(Math.max(q.limit === undefined ? 1000 : Number(q.limit), 1), 1000);
    const rows = await this.rpc.request(Subjects.ledger.view, {
      view: 'post-reviews',
      owner: q.owner,
      overdue: q.overdue === 'true',
      limit: limit + 1,
      after: afterOf(q.after),
    });
    return pageOf(rows, limit, res, {
      path: '/v1/post-reviews',
      query: { owner: q.owner, overdue: q.overdue },
      columns: (r) => [text(r.owner), text(r.dueAt), text(r.postReviewId)],
    });
  }

  @Get(':id')
  @Roles('approver', 'ops-lead')
  @Documented('A post-review', 'PostReviewView')
  get(@Param('id') id: string): Promise<PostReviewView> {
    return this.rpc.request(Subjects.approvals.getPostReview, { postReviewId: id });
  }

  @Post(':id/complete')
  @Roles('approver')
  @HttpCode(200)
  @Documented(
    'Complete a post-review',
    'PostReviewView',
    'The reviewer records the outcome and a remediation with an owner and a due time.',
  )
  complete(
    @Param('id') id: string,
    @Body() body: CompletePostReviewDto,
    @CurrentPrincipal() p: Principal,
  ): Promise<Written<PostReviewView>> {
    return this.rpc.request(Subjects.approvals.completePostReview, { postReviewId: id, ...byOf(p), ...body });
  }
}
