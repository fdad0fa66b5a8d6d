import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Allow, IsOptional } from 'class-validator';
import { MonthlyReview, Subjects, ViewQuery, ViewRow } from '@workgate/contracts';
import { RpcClient } from '@workgate/messaging';
import { monthlyReview, ReviewDraftSource, reviewDraft, reviewMonths, reviewRows } from '@workgate/workflow';
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

  /** The job type's drafts kept by the policy service, and a saved draft replayed over a month's requests. */
  private readonly drafts: ReviewDraftSource = {
    list: (jobType) => this.rpc.request(Subjects.policy.listDrafts, { jobType }),
    simulate: (jobType, draftId, w) => simulate(this.rpc, { jobType, draftId, from: w.from, to: w.to }),
  };

  @Get('workflows/:jobType/review')
  @Roles('analyst', 'ops-lead')
  @ReadsViews()
  @Documented(
    "A job type's monthly review",
    'MonthlyReview',
    'A calendar month (`month=YYYY-MM`, UTC; default the current month) against the month before: the top exception codes with their owner and the step they block, stall hotspots, evidence completeness, closures without evidence, exceptions breached and escalated, and the decisions a draft would change (`draft=<draftId>`, else the latest draft; 404 for a draft the job type does not have). Every number is a view of the views API asked for the month: [first instant, first instant of the next month), measured at its last instant (or now). 422 naming `month` for a value that is not a month that has begun.',
  )
  async review(@Param('jobType') jobType: string, @Query() q: ReviewQuery): Promise<MonthlyReview> {
    const windows = reviewMonths(q.month, new Date());
    // The job type must exist: 404 otherwise, as for its map.
    await this.rpc.request(Subjects.policy.get, { jobType });
    const ask = (query: ViewQuery): Promise<ViewRow[]> => this.rpc.request(Subjects.ledger.view, query);
    const [now, before] = await Promise.all([
      reviewRows(jobType, windows.month, ask),
      reviewRows(jobType, windows.previous, ask),
    ]);
    const draft = await reviewDraft(
      this.drafts,
      jobType,
      typeof q.draft === 'string' && q.draft !== '' ? q.draft : undefined,
      windows,
    );
    return monthlyReview(jobType, windows, now, before, draft);
  }
}
