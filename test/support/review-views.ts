import type { MonthlyReview, ReviewWindow, ViewRow } from '@workgate/contracts';

/** Asks a view (path with its own query, if any) of one job type for one window. */
export type AskView = (path: string) => Promise<ViewRow[]>;

/** `GET /v1/views/<path>` for a job type and a month's window, through `get` (a client answering 200). */
export function viewsFor(
  get: (path: string) => Promise<{ status: number; body: ViewRow[] }>,
  jobType: string,
  w: ReviewWindow,
): AskView {
  return async (path) => {
    const sep = path.includes('?') ? '&' : '?';
    const answer = await get(`/v1/views/${path}${sep}jobType=${jobType}&from=${w.from}&to=${w.to}&asOf=${w.asOf}`);
    if (answer.status !== 200) throw new Error(`${path}: ${answer.status}`);
    return answer.body;
  };
}

/**
 * Checks each section of a monthly review against the views API for one of its months (`key`):
 * the numbers a person reads off the views for the same window, job type and asOf.
 */
export async function expectReviewMatchesViews(
  r: MonthlyReview,
  key: 'thisMonth' | 'lastMonth',
  view: AskView,
): Promise<void> {
  const top = await view('exception-codes/top?limit=1000');
  if (key === 'thisMonth')
    expect(r.topCodes.map((c) => c.code)).toEqual(expect.arrayContaining(top.slice(0, 5).map((x) => x.code)));
  const blockedAt = await view('step-exceptions');
  for (const c of r.topCodes) {
    const row = top.find((x) => x.code === c.code);
    expect([c.code, c.raised[key], c.workOrders[key]]).toEqual([c.code, row?.count ?? 0, row?.workOrders ?? 0]);
    const most = blockedAt.filter((x) => x.code === c.code).sort((a, b) => Number(b.count) - Number(a.count))[0];
    if (key === 'thisMonth' && most)
      expect([
        c.code,
        blockedAt.filter((x) => x.code === c.code && x.count === most.count).map((x) => x.stepId),
      ]).toEqual([c.code, expect.arrayContaining([c.stepId])]);
  }
  const [stall] = await view('stall-rates');
  expect([r.stalls.workOrders[key], r.stalls.stalled[key], r.stalls.stallRate[key]]).toEqual([
    stall?.workOrders ?? 0,
    stall?.stalled ?? 0,
    stall?.stallRate ?? null,
  ]);
  const steps = await view('steps');
  for (const s of r.stalls.hotspots) {
    const row = steps.find((x) => x.stepId === s.stepId);
    expect([s.stepId, s.stalled[key], s.blocked[key]]).toEqual([s.stepId, row?.stalled ?? 0, row?.blocked ?? 0]);
  }
  const [evidence] = await view('evidence-completeness');
  expect([r.evidence.closures[key], r.evidence.closureShare[key], r.evidence.stepShare[key]]).toEqual([
    evidence?.closures ?? 0,
    evidence?.closureShare ?? null,
    evidence?.stepShare ?? null,
  ]);
  expect(r.closuresWithoutEvidence.count[key]).toBe((await view('closures?evidence=missing')).length);
  const codes = await view('exception-codes');
  const total = (k: string) => codes.reduce((n, c) => n + Number(c[k]), 0);
  expect([r.exceptions.raised[key], r.exceptions.breached[key], r.exceptions.escalated[key]]).toEqual([
    total('count'),
    total('overdue'),
    total('escalated'),
  ]);
}
