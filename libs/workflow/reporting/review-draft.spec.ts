import { ReviewWindow, SimulateResult, WorkgateError } from '@workgate/contracts';
import { reviewDraft, ReviewDraftSource, ReviewDraftSummary } from './review-draft';
import { reviewMonths } from './review-month';

const windows = reviewMonths('2026-03', new Date('2026-11-26T00:00:00Z'));
const summary = (draftId: string, savedAt: string, problems = 0): ReviewDraftSummary => ({
  draftId,
  savedAt,
  problems,
});

/** Drafts kept in memory; each month's simulation counts the requests of that month as `evaluated`. */
function source(drafts: ReviewDraftSummary[]): ReviewDraftSource & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    list: () => Promise.resolve(drafts),
    simulate: (_jobType: string, draftId: string, w: ReviewWindow): Promise<SimulateResult> => {
      asked.push(`${draftId} ${w.from} ${w.to}`);
      return Promise.resolve({ evaluated: w.month === '2026-03' ? 4 : 2, changed: [] });
    },
  };
}

describe('the draft a monthly review simulates', () => {
  it('is the latest saved draft when none is asked for, replayed over each month', async () => {
    const s = source([summary('d-1', '2026-03-02T10:00:00.000Z'), summary('d-2', '2026-03-05T10:00:00.000Z')]);
    const d = await reviewDraft(s, 'fix', undefined, windows);
    expect(d).toMatchObject({ draftId: 'd-2', source: 'latest', note: null });
    expect([d.thisMonth?.evaluated, d.lastMonth?.evaluated]).toEqual([4, 2]);
    expect(s.asked).toEqual([
      'd-2 2026-03-01T00:00:00.000Z 2026-04-01T00:00:00.000Z',
      'd-2 2026-02-01T00:00:00.000Z 2026-03-01T00:00:00.000Z',
    ]);
  });

  it('is the one asked for, and an unknown one is 404', async () => {
    const s = source([summary('d-1', '2026-03-02T10:00:00.000Z'), summary('d-2', '2026-03-05T10:00:00.000Z')]);
    await expect(reviewDraft(s, 'fix', 'd-1', windows)).resolves.toMatchObject({ draftId: 'd-1', source: 'requested' });
    await expect(reviewDraft(s, 'fix', 'd-9', windows)).rejects.toBeInstanceOf(WorkgateError);
    await expect(reviewDraft(s, 'fix', 'd-9', windows)).rejects.toMatchObject({ code: 'not_found' });
  });

  it('is none without drafts; a draft with problems is named, not simulated', async () => {
    await expect(reviewDraft(source([]), 'fix', undefined, windows)).resolves.toEqual({
      draftId: null,
      source: 'none',
      note: 'fix has no draft.',
      thisMonth: null,
      lastMonth: null,
    });
    const broken = source([summary('d-3', '2026-03-05T10:00:00.000Z', 2)]);
    await expect(reviewDraft(broken, 'fix', undefined, windows)).resolves.toMatchObject({
      draftId: 'd-3',
      source: 'latest',
      note: 'The draft has 2 problems: fix them to see the decisions it would change.',
      thisMonth: null,
    });
    expect(broken.asked).toEqual([]);
  });
});
