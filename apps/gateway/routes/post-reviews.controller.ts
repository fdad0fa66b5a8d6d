import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsISO8601, IsNotEmpty, IsString, MaxLength, ValidateNested } from 'class-validator';
import { PostReviewView, Subjects } from '@workgate/contracts';
import { RpcClient } from '@workgate/messaging';
import { CurrentPrincipal, Principal, Roles } from '../http';

class RemediationDto {
  @IsString() @IsNotEmpty() @MaxLength(1000) title: string;
  @IsString() @IsNotEmpty() owner: string;
  @IsISO8601({ strict: true }) due: string;
}

class CompleteDto {
  @IsString() @IsNotEmpty() @MaxLength(4000) outcome: string;
  @ValidateNested() @Type(() => RemediationDto) remediation: RemediationDto;
}

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
  complete(@Param('id') id: string, @Body() body: CompleteDto, @CurrentPrincipal() p: Principal): Promise<PostReviewView> {
    return this.rpc.request(Subjects.approvals.completePostReview, { postReviewId: id, by: p.id, ...body });
  }
}
