import { SimulatedChange, ViewRow } from '@workgate/contracts';
import { monthlyReview, ReviewDraftInput } from './monthly-review';
import { reviewMonths } from './review-month';
import { ReviewRows } from './review-queries';

const windows = reviewMonths('2026-03', new Date('2026-11-26T00:00:00Z'));
const none: ReviewDraftInput = { draftId: null, source: 'none', note: 'no draft', thisMonth: null, lastMonth: null };
const empty: ReviewRows = {
  topCodes: [],
  stepExceptions: [],
  steps: [],
  stallRates: [],
  evidence: [],
  closuresWithoutEvidence: [],
  exceptionCodes: [],
};
const code = (c: string, count: number, workOrders: number, owner: string, open = 0): ViewRow => ({
  code: c,
  count,
  workOrders,
  owner,
  openRemediations: 0,
  open,
});
const step = (stepId: string, blocked: number, stalled: number, p50Seconds: number | null): ViewRow => ({
  jobType: 'fix',
  stepId,
  open: 0,
  completed: 0,
  blocked,
  stalled,
  p50Seconds,
  p95Seconds: p50Seconds,
});

// March: 10 work orders opened, 3 stalled; 8 closed, 6 with evidence; 2 closures reported without evidence.
const march: ReviewRows = {
  topCodes: [
    code('ADDRESS_INVALID', 6, 4, 'support-lead', 2),
    code('CUSTOMER_UNREACHABLE', 3, 3, 'support-lead'),
    code('PARTS_MISSING', 1, 1, 'stores'),
  ],
  stepExceptions: [
    { jobType: 'fix', stepId: 'inspect', code: 'ADDRESS_INVALID', count: 1 },
    { jobType: 'fix', stepId: 'dispatch', code: 'ADDRESS_INVALID', count: 5 },
    { jobType: 'fix', stepId: 'inspect', code: 'CUSTOMER_UNREACHABLE', count: 3 },
  ],
  steps: [step('inspect', 3, 1, 600), step('dispatch', 5, 2, 7200), step('close-out', 0, 0, 60)],
  stallRates: [{ jobType: 'fix', workOrders: 10, stalled: 3, stallRate: 0.3, stalledNow: 1, active: 2 }],
  evidence: [
    {
      jobType: 'fix',
      closures: 8,
      closuresWithEvidence: 6,
      closureShare: 0.75,
      stepsRequired: 24,
      stepsWithEvidence: 21,
      stepShare: 0.875,
    },
  ],
  closuresWithoutEvidence: [
    {
      workOrderId: 'w9',
      jobType: 'fix',
      version: 1,
      source: 'desk',
      externalRef: 'T-9',
      owner: 'lead',
      closedAt: '2026-03-20T10:00:00.000Z',
      evidence: 'missing',
    },
    {
      workOrderId: 'w8',
      jobType: 'fix',
      version: 1,
      source: 'desk',
      externalRef: 'T-8',
      owner: 'lead',
      closedAt: '2026-03-02T10:00:00.000Z',
      evidence: 'missing',
    },
  ],
  exceptionCodes: [
    { jobType: 'fix', code: 'ADDRESS_INVALID', count: 6, open: 2, overdue: 1, escalated: 1 },
    { jobType: 'fix', code: 'CUSTOMER_UNREACHABLE', count: 3, open: 0, overdue: 0, escalated: 0 },
    { jobType: 'fix', code: 'PARTS_MISSING', count: 1, open: 1, overdue: 1, escalated: 0 },
  ],
};
// February: 4 work orders, 2 stalled; 4 closed, 2 with evidence; one code only, and a step March no longer stalls at.
const february: ReviewRows = {
  ...empty,
  topCodes: [code('CUSTOMER_UNREACHABLE', 5, 2, 'support-lead'), code('LATE_PARTS', 2, 2, 'stores')],
  stepExceptions: [{ jobType: 'fix', stepId: 'inspect', code: 'LATE_PARTS', count: 2 }],
  steps: [step('inspect', 1, 2, 900), step('survey', 0, 1, 100)],
  stallRates: [{ jobType: 'fix', workOrders: 4, stalled: 2, stallRate: 0.5, stalledNow: 0, active: 0 }],
  evidence: [
    {
      jobType: 'fix',
      closures: 4,
      closuresWithEvidence: 2,
      closureShare: 0.5,
      stepsRequired: 12,
      stepsWithEvidence: 12,
      stepShare: 1,
    },
  ],
  closuresWithoutEvidence: [
    {
      workOrderId: 'w1',
      jobType: 'fix',
      version: 1,
      source: 'desk',
      externalRef: 'T-1',
      owner: 'lead',
      closedAt: '2026-02-10T10:00:00.000Z',
      evidence: 'missing',
    },
  ],
  exceptionCodes: [{ jobType: 'fix', code: 'CUSTOMER_UNREACHABLE', count: 7, open: 3, overdue: 3, escalated: 0 }],
};

describe('the monthly review assembled from the views of two months', () => {
  const review = monthlyReview('fix', windows, march, february, none);

  it('names the two months', () => {
    expect(review.month.month).toBe('2026-03');
    expect(review.previous.month).toBe('2026-02');
  });

  it('top codes: this month first, each with its owner, the step it blocked most and last month beside it', () => {
    expect(review.topCodes).toEqual([
      {
        code: 'ADDRESS_INVALID',
        owner: 'support-lead',
        stepId: 'dispatch',
        raised: { thisMonth: 6, lastMonth: 0, change: 6 },
        workOrders: { thisMonth: 4, lastMonth: 0, change: 4 },
        openAtEnd: 2,
      },
      {
        code: 'CUSTOMER_UNREACHABLE',
        owner: 'support-lead',
        stepId: 'inspect',
        raised: { thisMonth: 3, lastMonth: 5, change: -2 },
        workOrders: { thisMonth: 3, lastMonth: 2, change: 1 },
        openAtEnd: 0,
      },
      {
        code: 'PARTS_MISSING',
        owner: 'stores',
        stepId: null,
        raised: { thisMonth: 1, lastMonth: 0, change: 1 },
        workOrders: { thisMonth: 1, lastMonth: 0, change: 1 },
        openAtEnd: 0,
      },
      {
        code: 'LATE_PARTS',
        owner: 'stores',
        stepId: 'inspect',
        raised: { thisMonth: 0, lastMonth: 2, change: -2 },
        workOrders: { thisMonth: 0, lastMonth: 2, change: -2 },
        openAtEnd: 0,
      },
    ]);
  });

  it('stalls: the rate of each month and the steps where work stalled most', () => {
    expect(review.stalls.workOrders).toEqual({ thisMonth: 10, lastMonth: 4, change: 6 });
    expect(review.stalls.stalled).toEqual({ thisMonth: 3, lastMonth: 2, change: 1 });
    // 3/10 - 2/4 = -0.2
    expect(review.stalls.stallRate).toEqual({ thisMonth: 0.3, lastMonth: 0.5, change: -0.2 });
    expect(review.stalls.hotspots).toEqual([
      {
        stepId: 'dispatch',
        stalled: { thisMonth: 2, lastMonth: 0, change: 2 },
        blocked: { thisMonth: 5, lastMonth: 0, change: 5 },
        p50Seconds: { thisMonth: 7200, lastMonth: null, change: null },
      },
      {
        stepId: 'inspect',
        stalled: { thisMonth: 1, lastMonth: 2, change: -1 },
        blocked: { thisMonth: 3, lastMonth: 1, change: 2 },
        p50Seconds: { thisMonth: 600, lastMonth: 900, change: -300 },
      },
      {
        stepId: 'survey',
        stalled: { thisMonth: 0, lastMonth: 1, change: -1 },
        blocked: { thisMonth: 0, lastMonth: 0, change: 0 },
        p50Seconds: { thisMonth: null, lastMonth: 100, change: null },
      },
    ]);
  });

  it('evidence completeness and closures without evidence', () => {
    expect(review.evidence).toEqual({
      closures: { thisMonth: 8, lastMonth: 4, change: 4 },
      closureShare: { thisMonth: 0.75, lastMonth: 0.5, change: 0.25 },
      stepShare: { thisMonth: 0.875, lastMonth: 1, change: -0.125 },
    });
    expect(review.closuresWithoutEvidence.count).toEqual({ thisMonth: 2, lastMonth: 1, change: 1 });
    expect(review.closuresWithoutEvidence.workOrders.map((w) => w.externalRef)).toEqual(['T-9', 'T-8']);
  });

  it('exceptions raised, breached (open past SLA at the end) and escalated', () => {
    expect(review.exceptions).toEqual({
      raised: { thisMonth: 10, lastMonth: 7, change: 3 },
      breached: { thisMonth: 2, lastMonth: 3, change: -1 },
      escalated: { thisMonth: 1, lastMonth: 0, change: 1 },
    });
  });

  it('a month without work has zeros for counts and no ratio', () => {
    const quiet = monthlyReview('fix', windows, empty, february, none);
    expect(quiet.stalls.stallRate).toEqual({ thisMonth: null, lastMonth: 0.5, change: null });
    expect(quiet.evidence.closures).toEqual({ thisMonth: 0, lastMonth: 4, change: -4 });
    expect(quiet.topCodes.map((c) => c.code)).toEqual(['CUSTOMER_UNREACHABLE', 'LATE_PARTS']);
    expect(quiet.draft).toEqual({
      draftId: null,
      source: 'none',
      note: 'no draft',
      evaluated: { thisMonth: null, lastMonth: null, change: null },
      changed: { thisMonth: null, lastMonth: null, change: null },
      decisions: [],
    });
  });

  it("the draft's changed decisions in each month, at most twenty listed", () => {
    const changed = (actionId: string): SimulatedChange => ({
      actionId,
      workOrderId: `wo-${actionId}`,
      before: { decision: 'run', rule: null, reason: 'inside_boundary' },
      after: { decision: 'wait', rule: 'refunds-wait', reason: 'rule_matched' },
      message: 'a refund ran; the draft holds it for the lead (refunds-wait)',
    });
    const many = Array.from({ length: 23 }, (_, i) => changed(`a${i + 1}`));
    const r = monthlyReview('fix', windows, march, february, {
      draftId: 'd-1',
      source: 'latest',
      note: null,
      thisMonth: { evaluated: 30, changed: many },
      lastMonth: { evaluated: 5, changed: [changed('a0')] },
    });
    expect(r.draft).toEqual({
      draftId: 'd-1',
      source: 'latest',
      note: null,
      evaluated: { thisMonth: 30, lastMonth: 5, change: 25 },
      changed: { thisMonth: 23, lastMonth: 1, change: 22 },
      decisions: many.slice(0, 20),
    });
    expect(r.draft.decisions.map((d) => d.actionId).at(-1)).toBe('a20');
  });
});
