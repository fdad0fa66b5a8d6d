import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { CompletePostReviewDto, PostReviewView, Subjects, Written } from '@workgate/contracts';
import { RpcClient } from '@workgate/messaging';
import { CurrentPrincipal, Principal, Roles } from '../http';

@ApiTags('post-reviews')
@ApiBearerAuth()
@Controller('v1/post-reviews')
export class PostReviewsController {
  constructor(private readonly rpc: RpcClient) {}

  @Get(':id')
  @Roles('approver', 'ops-lead')
  get(@Param('id') id: string): Promise<PostReviewView> {
    return this.rpc.request(Subjects.approvals.getPostReview, { postReviewId: id });
  }

  @Post(':id/complete')
  @Roles('approver')
  @HttpCode(200)
  complete(@Param('id') id: string, @Body() body: CompletePostReviewDto, @CurrentPrincipal() p: Principal): Promise<Written<PostReviewView>> {
    return this.rpc.request(Subjects.approvals.completePostReview, { postReviewId: id, by: p.id, ...body });
  }
}
