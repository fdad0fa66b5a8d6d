import { CompareQuery, CompareRow, ReviewWindow, ViewQuery, ViewRow, WorkgateError } from '@workgate/contracts';
import { assembleMonthlyReview, ReviewSources } from './review';
import { REVIEW_VIEWS } from './review-queries';

const now = new Date('2026-11-26T12:00:00Z');

/** A department's row, as the comparison answers it. */
const DEPARTMENT: CompareRow = {
  department: 'billing',
  workOrders: 2,
  firstTimeFix: 1,
  firstTimeFixRate: 0.5,
  exceptions: 1,
  exceptionsPer100: 50,
  exceptionsPer100ByCode: { ADDRESS_INVALID: 50 },
  closuresWithEvidence: 1,
  closureEvidenceShare: 0.5,
  stepsRequired: 4,
  stepsWithEvidence: 2,
  stepEvidenceShare: 0.5,
  timeToCloseP50Seconds: 2700,
  timeToCloseP95Seconds: 3600,
  timeToCloseSpread: 1.33,
  breakGlass: 1,
  breakGlassRate: 0.5,
  overduePostReviews: 1,
};

/** Sources kept in memory that write down each thing asked, in order. */
function sources(jobTypes: string[]): ReviewSources & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    jobType: (jobType) => {
      asked.push(`jobType ${jobType}`);
      return jobTypes.includes(jobType)
        ? Promise.resolve({ jobType })
        : Promise.reject(new WorkgateError('not_found', `no workflow for ${jobType}`));
    },
    view: (q: ViewQuery): Promise<ViewRow[]> => {
      asked.push(`view ${q.view} ${q.jobType} ${q.from} ${q.to}`);
      return Promise.resolve(q.view === 'exception-codes/top' ? [{ code: 'ADDRESS_INVALID', count: 3 }] : []);
    },
    compare: (q: CompareQuery): Promise<CompareRow[]> => {
      asked.push(`compare ${q.by} ${q.from} ${q.to} ${q.asOf}`);
      return Promise.resolve(q.by === 'department' ? [DEPARTMENT] : []);
    },
    drafts: {
      list: () => {
        asked.push('drafts');
        return Promise.resolve([
          { draftId: 'd-1', savedAt: '2026-03-02T10:00:00.000Z', problems: 0 },
          { draftId: 'd-2', savedAt: '2026-03-05T10:00:00.000Z', problems: 0 },
        ]);
      },
      simulate: (_jobType: string, draftId: string, w: ReviewWindow) => {
        asked.push(`simulate ${draftId} ${w.month}`);
        return Promise.resolve({ evaluated: 1, changed: [] });
      },
    },
  };
}

describe('a monthly review assembled from its sources', () => {
  it('refuses a month that is not YYYY-MM naming it, before it reads anything', async () => {
    const s = sources(['fix']);
    await expect(assembleMonthlyReview(s, 'fix', { month: '2026-13' }, now)).rejects.toMatchObject({
      code: 'validation_failed',
      details: [{ path: 'month' }],
    });
    expect(s.asked).toEqual([]);
  });

  it('is 404 for a job type without a workflow, and reads no view', async () => {
    const s = sources(['fix']);
    await expect(assembleMonthlyReview(s, 'nope', {}, now)).rejects.toMatchObject({ code: 'not_found' });
    expect(s.asked).toEqual(['jobType nope']);
  });

  it("asks every view for both months of the job type and replays the latest draft when `draft` is ''", async () => {
    const s = sources(['fix']);
    const review = await assembleMonthlyReview(s, 'fix', { month: '2026-03', draft: '' }, now);
    const views = Object.values(REVIEW_VIEWS).map((q) => q.view);
    expect(s.asked).toEqual([
      'jobType fix',
      ...views.map((v) => `view ${v} fix 2026-03-01T00:00:00.000Z 2026-04-01T00:00:00.000Z`),
      ...views.map((v) => `view ${v} fix 2026-02-01T00:00:00.000Z 2026-03-01T00:00:00.000Z`),
      // The departments of the month, every job type's, measured at its last instant.
      'compare department 2026-03-01T00:00:00.000Z 2026-04-01T00:00:00.000Z 2026-03-31T23:59:59.999Z',
      'drafts',
      'simulate d-2 2026-03',
      'simulate d-2 2026-02',
    ]);
    expect([review.month.month, review.previous.month]).toEqual(['2026-03', '2026-02']);
    expect(review.topCodes.map((c) => [c.code, c.raised])).toEqual([
      ['ADDRESS_INVALID', { thisMonth: 3, lastMonth: 3, change: 0 }],
    ]);
    expect(review.draft).toMatchObject({ draftId: 'd-2', source: 'latest' });
    expect(review.departments).toEqual([DEPARTMENT]);
  });

  it('replays the draft asked for, over the current month when none is asked for', async () => {
    const s = sources(['fix']);
    const review = await assembleMonthlyReview(s, 'fix', { draft: 'd-1' }, now);
    expect([review.month.month, review.draft.draftId, review.draft.source]).toEqual(['2026-11', 'd-1', 'requested']);
    expect(s.asked.filter((a) => a.startsWith('simulate'))).toEqual(['simulate d-1 2026-11', 'simulate d-1 2026-10']);
  });
});
