import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { CompletePostReviewDto, PostReviewView, Subjects, Written } from '@workgate/contracts';
import { RpcClient } from '@workgate/messaging';
import { Documented } from '../openapi';
import { CurrentPrincipal, Principal, Roles } from '../http';

@ApiTags('post-reviews')
@Controller('v1/post-reviews')
export class PostReviewsController {
  constructor(private readonly rpc: RpcClient) {}

  @Get(':id')
  @Roles('approver', 'ops-lead')
  @Documented('A post-review', 'PostReviewView')
  get(@Param('id') id: string): Promise<PostReviewView> {
    return this.rpc.request(Subjects.approvals.getPostReview, { postReviewId: id });
  }

  @Post(':id/complete')
  @Roles('approver')
  @HttpCode(200)
  @Documented('Complete a post-review', 'PostReviewView', 'The reviewer records the outcome and a remediation with an owner and a due time.')
  complete(@Param('id') id: string, @Body() body: CompletePostReviewDto, @CurrentPrincipal() p: Principal): Promise<Written<PostReviewView>> {
    return this.rpc.request(Subjects.approvals.completePostReview, { postReviewId: id, by: p.id, ...body });
  }
}
