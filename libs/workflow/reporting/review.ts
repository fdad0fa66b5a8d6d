import { CompareQuery, CompareRow, MonthlyReview, ViewQuery, ViewRow } from '@workgate/contracts';
import { monthlyReview } from './monthly-review';
import { ReviewDraftSource, reviewDraft } from './review-draft';
import { reviewMonths } from './review-month';
import { reviewRows } from './review-queries';

/** Where a monthly review reads (docs/views.md, The monthly review): the job type, the views, its drafts. */
export interface ReviewSources {
  /** Resolves when the job type has a workflow, else rejects (404), as its map does. */
  jobType(jobType: string): Promise<unknown>;
  /** One view's rows, as the views API answers them. */
  view(query: ViewQuery): Promise<ViewRow[]>;
  /** The comparison of departments, as the departments API answers it. */
  compare(query: CompareQuery): Promise<CompareRow[]>;
  drafts: ReviewDraftSource;
}

/** What a review is asked for, as it arrived: `month` (`YYYY-MM`) and `draft` (a draft id), each optional. */
export interface ReviewRequest {
  month?: unknown;
  draft?: unknown;
}

/**
 * A job type's monthly review: the month asked for (422 naming `month` before anything is read), the
 * job type (404), every view of both months and the draft replayed over each, assembled into one
 * review, with the month's departments side by side. An empty `draft` is none asked for.
 */
export async function assembleMonthlyReview(
  sources: ReviewSources,
  jobType: string,
  request: ReviewRequest,
  now: Date,
): Promise<MonthlyReview> {
  const windows = reviewMonths(request.month, now);
  await sources.jobType(jobType);
  const ask = (query: ViewQuery): Promise<ViewRow[]> => sources.view(query);
  const { from, to, asOf } = windows.month;
  const [thisMonth, lastMonth, departments] = await Promise.all([
    reviewRows(jobType, windows.month, ask),
    reviewRows(jobType, windows.previous, ask),
    sources.compare({ from, to, asOf, by: 'department' }),
  ]);
  const requested = typeof request.draft === 'string' && request.draft !== '' ? request.draft : undefined;
  const draft = await reviewDraft(sources.drafts, jobType, requested, windows);
  return { ...monthlyReview(jobType, windows, thisMonth, lastMonth, draft), departments };
}
