import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Allow, IsOptional } from 'class-validator';
import { MonthlyReview, Subjects } from '@workgate/contracts';
import { RpcClient } from '@workgate/messaging';
import { assembleMonthlyReview, ReviewSources } from '@workgate/workflow';
import { Documented } from '../openapi';
import { ReadsViews, Roles } from '../http';
import { simulate } from './simulated';

/** `month` is checked by the review itself, so a bad one is refused naming it. */
class ReviewQuery {
  @IsOptional() @Allow() month?: unknown;
  @IsOptional() @Allow() draft?: unknown;
}

@ApiTags('workflows')
@Controller('v1')
export class WorkflowReviewController {
  constructor(private readonly rpc: RpcClient) {}

  /** The review's sources: the policy service's workflows and drafts, the ledger's views and comparison. */
  private readonly sources: ReviewSources = {
    jobType: (jobType) => this.rpc.request(Subjects.policy.get, { jobType }),
    view: (query) => this.rpc.request(Subjects.ledger.view, query),
    compare: (query) => this.rpc.request(Subjects.ledger.compare, query),
    drafts: {
      list: (jobType) => this.rpc.request(Subjects.policy.listDrafts, { jobType }),
      simulate: (jobType, draftId, w) => simulate(this.rpc, { jobType, draftId, from: w.from, to: w.to }),
    },
  };

  @Get('workflows/:jobType/review')
  @Roles('analyst', 'ops-lead')
  @ReadsViews()
  @Documented(
    "A job type's monthly review",
    'MonthlyReview',
    'A calendar month (`month=YYYY-MM`, UTC; default the current month) against the month before: the top exception codes with their owner and the step they block, stall hotspots, evidence completeness, closures without evidence, exceptions breached and escalated, the decisions a draft would change (`draft=<draftId>`, else the latest draft; 404 for a draft the job type does not have), and the departments side by side (the work orders of every job type closed in the month, as GET /v1/views/departments). Every number is a view of the views API asked for the month: [first instant, first instant of the next month), measured at its last instant (or now). 422 naming `month` for a value that is not a month that has begun.',
  )
  review(@Param('jobType') jobType: string, @Query() q: ReviewQuery): Promise<MonthlyReview> {
    return assembleMonthlyReview(this.sources, jobType, q, new Date());
  }
}
