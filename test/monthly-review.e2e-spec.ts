import { ledgerEvents, tally } from './support/ledger-tally';
import { M, monthlyReviewSuite, monthOf, P, windowOf } from './support/monthly-review-seed';
import { eventually } from './support/processes';
import { expectReviewMatchesLedger } from './support/review-views';

/**
 * The monthly review over two back-dated months of work sent as CloudEvents with their own times:
 * each section's numbers are those an ops lead counts by hand, and those counted from the ledger's
 * own events for the same windows.
 */
describe('the monthly review (docs/views.md, The monthly review)', () => {
  const { suite, open, block, review } = monthlyReviewSuite();

  it('answers every section with the numbers counted by hand', async () => {
    const r = await review(M);
    expect(r.month).toEqual({ month: M, ...windowOf(M, monthOf(0)) });
    expect(r.previous).toEqual({ month: P, ...windowOf(P, M) });
    expect(r.topCodes).toEqual([
      {
        code: 'ADDRESS_INVALID',
        owner: 'support-lead',
        stepId: 'b',
        raised: { thisMonth: 3, lastMonth: 0, change: 3 },
        workOrders: { thisMonth: 3, lastMonth: 0, change: 3 },
        openAtEnd: 3,
      },
      {
        code: 'CUSTOMER_UNREACHABLE',
        owner: 'support-lead',
        stepId: 'a',
        raised: { thisMonth: 1, lastMonth: 1, change: 0 },
        workOrders: { thisMonth: 1, lastMonth: 1, change: 0 },
        openAtEnd: 1,
      },
    ]);
    // Opened 7 (M1-M7), 4 blocked past four hours; last month 3, 1 (P2).
    expect(r.stalls.workOrders).toEqual({ thisMonth: 7, lastMonth: 3, change: 4 });
    expect(r.stalls.stalled).toEqual({ thisMonth: 4, lastMonth: 1, change: 3 });
    expect(r.stalls.stallRate).toEqual({ thisMonth: 0.5714, lastMonth: 0.3333, change: 0.2381 });
    expect(
      r.stalls.hotspots.map((h) => [h.stepId, h.stalled.thisMonth, h.blocked.thisMonth, h.stalled.lastMonth]),
    ).toEqual([
      ['a', 2, 2, 1],
      ['b', 2, 2, 0],
    ]);
    // Closed: M1 with evidence, M5 and M6 reported without; last month P1 with, P3 without.
    expect(r.evidence.closures).toEqual({ thisMonth: 3, lastMonth: 2, change: 1 });
    expect(r.evidence.closureShare).toEqual({ thisMonth: 0.3333, lastMonth: 0.5, change: -0.1667 });
    expect(r.closuresWithoutEvidence.count).toEqual({ thisMonth: 2, lastMonth: 1, change: 1 });
    expect(r.closuresWithoutEvidence.workOrders.map((w) => w.externalRef)).toEqual(['M6', 'M5']);
    // Every exception stayed open far past its SLA (8 h, 24 h).
    expect(r.exceptions).toEqual({
      raised: { thisMonth: 4, lastMonth: 1, change: 3 },
      breached: { thisMonth: 4, lastMonth: 1, change: 3 },
      escalated: { thisMonth: 0, lastMonth: 0, change: 0 },
    });
    expect(r.draft).toEqual({
      draftId: null,
      source: 'none',
      note: 'desk-fix has no draft.',
      evaluated: { thisMonth: null, lastMonth: null, change: null },
      changed: { thisMonth: null, lastMonth: null, change: null },
      decisions: [],
    });
  });

  it("each section's numbers equal those counted from the ledger's own events for the same windows", async () => {
    const r = await review(M);
    const ledger = tally(await ledgerEvents(suite.t));
    expectReviewMatchesLedger(r, 'thisMonth', ledger, r.month);
    expectReviewMatchesLedger(r, 'lastMonth', ledger, r.previous);
  });

  it("this month so far: an exception breached, then escalated, is counted as the ledger's events count it", async () => {
    const opened = new Date().toISOString();
    await open('N1', opened);
    await block('N1', 'a', 'PAYMENT_MISMATCH', opened);
    const thisMonth = monthOf(0);
    const r = await eventually(
      async () => {
        const answer = await review(thisMonth);
        return answer.exceptions.escalated.thisMonth === 1 ? answer : undefined;
      },
      20_000,
      'the exception to be escalated',
    );
    expect(r.exceptions).toEqual({
      raised: { thisMonth: 1, lastMonth: 4, change: -3 },
      breached: { thisMonth: 1, lastMonth: 4, change: -3 },
      escalated: { thisMonth: 1, lastMonth: 0, change: 1 },
    });
    expect(r.topCodes[0]).toMatchObject({ code: 'PAYMENT_MISMATCH', owner: 'finance-lead', stepId: 'a', openAtEnd: 1 });
    const ledger = tally(await ledgerEvents(suite.t));
    expectReviewMatchesLedger(r, 'thisMonth', ledger, r.month);
    expectReviewMatchesLedger(r, 'lastMonth', ledger, r.previous);
  });
});
