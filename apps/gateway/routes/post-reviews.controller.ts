import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { CompletePostReviewDto, PostReviewView, Subjects, ViewRow, Written } from '@workgate/contracts';
import { RpcClient } from '@workgate/messaging';
import { Documented, ref, viewSchemaName } from '../openapi';
import { CurrentPrincipal, Principal, ReadsViews, Roles } from '../http';
import { byOf } from './command';

class PostReviewsQuery {
  @IsOptional() @IsString() @MaxLength(200) owner?: string;
  @IsOptional() @IsIn(['true', 'false']) overdue?: 'true' | 'false';
  @IsOptional() @Matches(/^\d{1,4}$/, { message: 'limit must be a number up to 1000' }) limit?: string;
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
    { type: 'array', items: ref(viewSchemaName('post-reviews')) },
    'The post-reviews not yet completed, by owner, the longest overdue first; `overdue=true` keeps those past due.',
  )
  list(@Query() q: PostReviewsQuery): Promise<ViewRow[]> {
    const limit = q.limit === undefined ? undefined : Number(q.limit);
    return this.rpc.request(Subjects.ledger.view, {
      view: 'post-reviews',
      owner: q.owner,
      overdue: q.overdue === 'true',
      limit,
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
