import { at, eventsAt } from './views.fixtures';
import { percentileOf } from './step-counts.projection';
import { foldViews } from './views.projection';

const event = eventsAt();

const WO = '11111111-1111-4111-8111-111111111111';
const X = '22222222-2222-4222-8222-222222222222';
const ACTION = '33333333-3333-4333-8333-333333333333';
const APPROVAL = '44444444-4444-4444-8444-444444444444';
const GATE = '55555555-5555-4555-8555-555555555555';
const EXPIRED = '88888888-8888-4888-8888-888888888888';
const wo = (type: string, hours: number, data: Record<string, unknown> = {}) =>
  event(`workorder-${WO}`, type, hours, { workOrderId: WO, ...data });
const policy = { jobType: 'fix', version: 1, sha256: 'x' };

const published = event('workflow-fix', 'WorkflowPublished', 0, {
  jobType: 'fix',
  version: 1,
  sha256: 'x',
  definition: { jobType: 'fix', version: 1, steps: [{ id: 'a' }, { id: 'b' }, { id: 'c' }], stallAfter: 'PT4H' },
});
const opened = wo('WorkOrderOpened', 0, {
  source: 's',
  externalRef: 'r',
  policy,
  owner: 'lead',
  inputs: {},
  prerequisites: [],
  status: 'open',
  exceptions: [],
});
const blocked = (hours: number, code: string, stepId: string, exceptionId = X) =>
  wo('StepBlocked', hours, { exceptionId, code, owner: 'stores', dueAt: at(hours + 8), stepId, rationale: '-' });
const closed = (hours: number, exceptionId = X) =>
  wo('WorkOrderExceptionClosed', hours, { exceptionId, code: 'PARTS_UNAVAILABLE' });
const completed = (hours: number, stepId: string) => wo('StepCompleted', hours, { stepId, evidence: [] });
const decided = (hours: number, decision: string, rule: string | null, actionId = ACTION) =>
  wo('ActionDecided', hours, { actionId, decision: { decision, rule, policy } });
const requested = (hours: number, approvalId: string, actionId: string, kind: string) =>
  event(`approval-${approvalId}`, 'ApprovalRequested', hours, {
    approvalId,
    workOrderId: WO,
    actionId,
    owner: 'lead',
    requestedBy: 'agent',
    requestedAt: at(hours),
    expiresAt: at(hours + 24),
    kind,
  });

describe('the live map views fold (pure)', () => {
  it("keeps each step of the work order's version: completion, duration from the previous completion, blocks by code", () => {
    const rows = foldViews([
      published,
      opened,
      completed(2, 'a'),
      blocked(3, 'PARTS_UNAVAILABLE', 'b'),
      closed(4),
      blocked(5, 'SITE_ACCESS', 'b', GATE),
      completed(7, 'c'),
      completed(10, 'b'),
      completed(11, 'b'),
    ]).steps.get(WO);
    expect(rows).toMatchObject({ jobType: 'fix', version: 1, openedAt: at(0), nextStep: null, lastDoneAt: at(10) });
    expect(rows?.steps).toEqual({
      a: { i: 0, completedAt: at(2), seconds: 2 * 3600, blocked: [] },
      b: { i: 1, completedAt: at(10), seconds: 3 * 3600, blocked: ['PARTS_UNAVAILABLE', 'SITE_ACCESS'] },
      c: { i: 2, completedAt: at(7), seconds: 5 * 3600, blocked: [] },
    });
  });

  it("adds each step to its day's counts: work orders, completions by duration bucket, blocks by code", () => {
    const counts = foldViews([
      published,
      opened,
      completed(2, 'a'),
      blocked(3, 'PARTS_UNAVAILABLE', 'b'),
      closed(4),
      blocked(5, 'SITE_ACCESS', 'b', GATE),
      blocked(6, 'PARTS_UNAVAILABLE', 'b'),
      completed(7, 'c'),
      completed(10, 'b'),
    ]).stepCounts;
    expect([...counts.keys()].sort()).toEqual(['fix 1 a 2026-11-01', 'fix 1 b 2026-11-01', 'fix 1 c 2026-11-01']);
    const b = counts.get('fix 1 b 2026-11-01');
    expect(b).toMatchObject({ i: 1, workOrders: 1, completed: 1, blocked: 3 });
    expect(b?.codes).toEqual({ PARTS_UNAVAILABLE: 2, SITE_ACCESS: 1 });
    // Each completion once, in the bucket of its duration (2 h for a, 3 h for b, 5 h for c).
    for (const [step, hours] of [
      ['a', 2],
      ['b', 3],
      ['c', 5],
    ] as const) {
      const seconds = counts.get(`fix 1 ${step} 2026-11-01`)?.seconds ?? {};
      expect(Object.values(seconds)).toEqual([1]);
      expect(percentileOf(seconds, 0.5)).toBeGreaterThanOrEqual(hours * 3600 * 0.96);
      expect(percentileOf(seconds, 0.5)).toBeLessThanOrEqual(hours * 3600 * 1.04);
    }
    const open = foldViews([published, opened]).stepCounts.get('fix 1 a 2026-11-01');
    expect(open).toMatchObject({ workOrders: 1, completed: 0, blocked: 0, seconds: {}, codes: {} });
  });

  it('names the next step in the definition order, whatever order steps are completed in', () => {
    expect(foldViews([published, opened]).steps.get(WO)?.nextStep).toBe('a');
    expect(foldViews([published, opened, completed(1, 'b')]).steps.get(WO)?.nextStep).toBe('a');
    expect(foldViews([published, opened, completed(1, 'a'), completed(2, 'c')]).steps.get(WO)?.nextStep).toBe('b');
  });

  it('attributes a stalled spell to the step next when it began, and only the first that stalled', () => {
    const short = foldViews([published, opened, completed(1, 'a'), blocked(2, 'PARTS_UNAVAILABLE', 'b'), closed(3)]);
    expect(short.steps.get(WO)).toMatchObject({ stuckStep: null, stalledStep: null });
    const running = foldViews([published, opened, completed(1, 'a'), blocked(2, 'PARTS_UNAVAILABLE', 'b')]);
    expect(running.steps.get(WO)).toMatchObject({ stuckStep: 'b', stalledStep: null });
    const stalled = foldViews([
      published,
      opened,
      completed(1, 'a'),
      blocked(2, 'PARTS_UNAVAILABLE', 'b'),
      completed(3, 'b'),
      closed(9),
      blocked(10, 'SITE_ACCESS', 'c', GATE),
      closed(20, GATE),
    ]);
    expect(stalled.workOrders.get(WO)?.stalledAt).toBe(at(6));
    expect(stalled.steps.get(WO)).toMatchObject({ stuckStep: null, stalledStep: 'b' });
  });

  it('counts a pending approval as a spell at the next step', () => {
    const rows = foldViews([
      published,
      opened,
      decided(1, 'wait', 'refunds'),
      requested(1, APPROVAL, ACTION, 'refund'),
    ]);
    expect(rows.steps.get(WO)).toMatchObject({ stuckStep: 'a' });
  });

  it('keeps every action decision with its rule and its work order opening', () => {
    const rows = foldViews([published, opened, decided(2, 'stop', 'no-change'), decided(3, 'run', null, GATE)]);
    expect(rows.decisions.get(ACTION)).toEqual({
      actionId: ACTION,
      workOrderId: WO,
      jobType: 'fix',
      version: 1,
      rule: 'no-change',
      decision: 'stop',
      decidedAt: at(2),
      openedAt: at(0),
    });
    expect(rows.decisions.get(GATE)).toMatchObject({ rule: null, decision: 'run' });
  });

  it('counts the decisions by rule and decision on the day their work order was opened', () => {
    const rows = foldViews([
      published,
      opened,
      decided(2, 'stop', 'no-change'),
      decided(3, 'run', null, GATE),
      decided(30, 'stop', 'no-change', EXPIRED),
    ]);
    expect([...rows.decisionCounts.values()].map((c) => [c.day, c.rule, c.decision, c.decisions])).toEqual([
      ['2026-11-01', 'no-change', 'stop', 2],
      ['2026-11-01', null, 'run', 1],
    ]);
  });

  it("names an approval's gate node: the wait rule that held its action, else gate:<kind>; and when it was first decided", () => {
    const rows = foldViews([
      published,
      opened,
      decided(1, 'wait', 'refunds-need-owner'),
      requested(1, APPROVAL, ACTION, 'refund-approval'),
      event(`approval-${APPROVAL}`, 'ApprovalConditioned', 3, { approvalId: APPROVAL, decidedBy: 'lead', at: at(3) }),
      event(`approval-${APPROVAL}`, 'ApprovalGranted', 5, { approvalId: APPROVAL, decidedBy: 'lead', at: at(5) }),
      requested(2, GATE, '66666666-6666-4666-8666-666666666666', 'security-review'),
      requested(2, EXPIRED, '77777777-7777-4777-8777-777777777777', 'security-review'),
      // The expiry timer fires late: the approval stopped waiting when it expired.
      event(`approval-${EXPIRED}`, 'ApprovalExpired', 40, { approvalId: EXPIRED, at: at(40) }),
    ]);
    expect(rows.approvals.get(APPROVAL)).toMatchObject({
      gate: 'refunds-need-owner',
      status: 'approved',
      openedAt: at(0),
      requestedAt: at(1),
      decidedAt: at(3),
    });
    expect(rows.approvals.get(GATE)).toMatchObject({ gate: 'gate:security-review', decidedAt: null });
    expect(rows.approvals.get(EXPIRED)).toMatchObject({ status: 'expired', decidedAt: at(26), updatedAt: at(40) });
  });
});
