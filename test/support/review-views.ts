import type { MonthlyReview, ReviewWindow } from '@workgate/contracts';
import { share, Tally, WindowCounts } from './ledger-tally';

/**
 * Checks each section of a monthly review against the ledger's own events for one of its months
 * (`key`): the numbers counted here from the work orders, exceptions and closures the events
 * record for the same window and job type, at the window's asOf.
 */
export function expectReviewMatchesLedger(
  r: MonthlyReview,
  key: 'thisMonth' | 'lastMonth',
  ledger: Tally,
  w: ReviewWindow,
): void {
  const month = new WindowCounts(ledger, r.jobType, w);
  // Top codes: exceptions raised in the month, each code's count and work orders.
  const raised = new Map<string, { count: number; workOrders: Set<string> }>();
  for (const x of month.exceptions(true)) {
    const c = raised.get(x.code) ?? { count: 0, workOrders: new Set<string>() };
    c.count += 1;
    c.workOrders.add(x.workOrder.id);
    raised.set(x.code, c);
  }
  if (key === 'thisMonth') {
    const fifth = [...raised.values()].map((c) => c.count).sort((a, b) => b - a)[4] ?? 0;
    const above = [...raised].filter(([, c]) => c.count > fifth).map(([code]) => code);
    expect(r.topCodes.map((c) => c.code)).toEqual(expect.arrayContaining(above));
    expect(r.topCodes.filter((c) => (c.raised.thisMonth ?? 0) > 0).length).toBeGreaterThanOrEqual(
      Math.min(5, raised.size),
    );
  }
  for (const c of r.topCodes) {
    const counted = raised.get(c.code);
    expect([c.code, c.raised[key], c.workOrders[key]]).toEqual([
      c.code,
      counted?.count ?? 0,
      counted?.workOrders.size ?? 0,
    ]);
    // Its step: the step of the month's work orders it blocked most.
    const atStep = new Map<string, number>();
    for (const wo of month.opened)
      for (const b of wo.blocks) if (b.code === c.code) atStep.set(b.stepId, (atStep.get(b.stepId) ?? 0) + 1);
    const most = Math.max(0, ...atStep.values());
    if (key === 'thisMonth' && most > 0)
      expect([c.code, [...atStep].filter(([, n]) => n === most).map(([s]) => s)]).toEqual([
        c.code,
        expect.arrayContaining([c.stepId]),
      ]);
  }
  // Stalls: the month's work orders, those stuck past their stallAfter in one spell by asOf.
  const stalled = month.stalled;
  expect([r.stalls.workOrders[key], r.stalls.stalled[key], r.stalls.stallRate[key]]).toEqual([
    month.opened.length,
    stalled,
    share(stalled, month.opened.length),
  ]);
  for (const s of r.stalls.hotspots) {
    const step = month.step(s.stepId);
    expect([s.stepId, s.stalled[key], s.blocked[key]]).toEqual([s.stepId, step.stalled, step.blocked]);
  }
  // Evidence: the month's closures, with closure evidence or not, and the steps their work orders completed.
  const closures = month.closures();
  const required = closures.reduce((n, wo) => n + wo.order.length, 0);
  const done = closures.reduce((n, wo) => n + wo.completed.size, 0);
  expect([r.evidence.closures[key], r.evidence.closureShare[key], r.evidence.stepShare[key]]).toEqual([
    closures.length,
    share(closures.filter((wo) => !wo.evidenceMissing).length, closures.length),
    share(done, required),
  ]);
  expect(r.closuresWithoutEvidence.count[key]).toBe(closures.filter((wo) => wo.evidenceMissing).length);
  // Exceptions of the month's work orders: raised, open past due, escalated, at asOf.
  const xs = month.exceptions();
  expect([r.exceptions.raised[key], r.exceptions.breached[key], r.exceptions.escalated[key]]).toEqual([
    xs.length,
    xs.filter((x) => month.overdue(x)).length,
    xs.filter((x) => month.escalated(x)).length,
  ]);
}
