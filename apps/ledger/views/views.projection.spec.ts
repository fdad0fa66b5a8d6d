import { RecordedEvent } from '@workgate/contracts';
import { at, eventsAt } from './views.fixtures';
import { foldViews } from './views.projection';

const event = eventsAt();

const WO = '11111111-1111-4111-8111-111111111111';
const X = '22222222-2222-4222-8222-222222222222';
const A = '33333333-3333-4333-8333-333333333333';
const wo = (type: string, hours: number, data: Record<string, unknown> = {}) =>
  event(`workorder-${WO}`, type, hours, { workOrderId: WO, ...data });

const fold = (events: RecordedEvent[]) => foldViews(events);

const published = event('workflow-fix', 'WorkflowPublished', 0, {
  jobType: 'fix',
  version: 1,
  sha256: 'x',
  definition: { jobType: 'fix', version: 1, steps: [{ id: 'a' }, { id: 'b' }], stallAfter: 'PT4H' },
});
const opened = wo('WorkOrderOpened', 0, {
  source: 's',
  externalRef: 'r',
  policy: { jobType: 'fix', version: 1, sha256: 'x' },
  owner: 'lead',
  inputs: {},
  prerequisites: [],
  status: 'open',
  exceptions: [],
});
const blocked = wo('StepBlocked', 1, {
  exceptionId: X,
  code: 'PARTS_UNAVAILABLE',
  owner: 'stores',
  dueAt: at(9),
  stepId: 'a',
  rationale: 'no parts',
});

describe('the views fold (pure)', () => {
  it('takes the stall threshold and step count from the workflow version', () => {
    const rows = fold([published, opened]);
    expect(rows.workOrders.get(WO)).toMatchObject({
      jobType: 'fix',
      stallAfterMs: 4 * 3600 * 1000,
      stepsRequired: 2,
      stuckSince: null,
      stalledAt: null,
      status: 'open',
    });
  });

  it('records when a blocked spell passed the threshold, and only a spell longer than it', () => {
    const short = fold([
      published,
      opened,
      blocked,
      wo('WorkOrderExceptionClosed', 4, { exceptionId: X, code: 'PARTS_UNAVAILABLE' }),
    ]);
    expect(short.workOrders.get(WO)).toMatchObject({
      status: 'open',
      stuckSince: null,
      stalledAt: null,
      openExceptions: 0,
      exceptionsTotal: 1,
    });
    const long = fold([
      published,
      opened,
      blocked,
      wo('WorkOrderExceptionClosed', 7, { exceptionId: X, code: 'PARTS_UNAVAILABLE' }),
    ]);
    expect(long.workOrders.get(WO)).toMatchObject({ stuckSince: null, stalledAt: at(5) });
    const running = fold([published, opened, blocked]);
    expect(running.workOrders.get(WO)).toMatchObject({ status: 'blocked', stuckSince: at(1), stalledAt: null });
  });

  it('counts a pending approval as waiting until it is resolved', () => {
    const requested = event(`approval-${A}`, 'ApprovalRequested', 2, {
      approvalId: A,
      workOrderId: WO,
      actionId: A,
      owner: 'lead',
      requestedBy: 'bot',
      requestedAt: at(2),
      expiresAt: at(26),
    });
    const rows = fold([
      published,
      opened,
      requested,
      wo('ApprovalResolved', 8, { approvalId: A, actionId: A, outcome: 'approved', decision: 'run', reason: 'x' }),
    ]);
    expect(rows.workOrders.get(WO)).toMatchObject({ pendingApprovals: 0, stuckSince: null, stalledAt: at(6) });
    expect(rows.approvals.get(A)).toMatchObject({
      status: 'requested',
      jobType: 'fix',
      owner: 'lead',
      requestedAt: at(2),
    });
    const granted = fold([
      published,
      opened,
      requested,
      event(`approval-${A}`, 'ApprovalGranted', 3, { approvalId: A, decidedBy: 'lead' }),
    ]);
    expect(granted.approvals.get(A)).toMatchObject({ status: 'approved', decidedBy: 'lead' });
  });

  it('keeps each exception with its job type, resolution, SLA breach, escalation and remediations', () => {
    const x = (type: string, hours: number, data: Record<string, unknown> = {}) =>
      event(`exception-${X}`, type, hours, { exceptionId: X, ...data });
    const rows = fold([
      published,
      opened,
      blocked,
      x('SlaBreached', 9),
      x('RemediationAdded', 10, { task: { taskId: 't1' } }),
      x('RemediationAdded', 10, { task: { taskId: 't2' } }),
      x('RemediationClosed', 11, { taskId: 't1' }),
      x('ExceptionEscalated', 11, { escalatedTo: 'duty-manager' }),
      x('ExceptionResolved', 12),
    ]);
    expect(rows.exceptions.get(X)).toEqual({
      exceptionId: X,
      workOrderId: WO,
      jobType: 'fix',
      version: 1,
      code: 'PARTS_UNAVAILABLE',
      owner: 'stores',
      stepId: 'a',
      raisedAt: at(1),
      dueAt: at(9),
      resolvedAt: at(12),
      slaBreached: true,
      escalatedTo: 'duty-manager',
      escalatedAt: at(11),
      remediationsTotal: 2,
      remediationsOpen: 1,
      openedAt: at(0),
    });
  });

  it('flags a closure reported without evidence, and clears it on reopen', () => {
    const reported = fold([published, opened, wo('WorkOrderClosureReported', 3, { evidenceMissing: true })]);
    expect(reported.workOrders.get(WO)).toMatchObject({ status: 'closed', closedAt: at(3), evidenceMissing: true });
    const reopened = fold([
      published,
      opened,
      wo('WorkOrderClosureReported', 3, { evidenceMissing: true }),
      wo('WorkOrderReopened', 4),
    ]);
    expect(reopened.workOrders.get(WO)).toMatchObject({
      status: 'open',
      closedAt: null,
      evidenceMissing: false,
      reopened: 1,
    });
  });

  it("keeps each work order's exceptions by code and its post-review, and counts its last closure by day", () => {
    const P = '44444444-4444-4444-8444-444444444444';
    const Y = '55555555-5555-4555-8555-555555555555';
    const withPermit = {
      ...opened,
      data: { ...opened.data, exceptions: [{ exceptionId: Y, code: 'PERMIT', owner: 'o', dueAt: at(5) }] },
    };
    const glass = wo('BreakGlassUsed', 2, {
      exceptionId: '66666666-6666-4666-8666-666666666666',
      code: 'PARTS_UNAVAILABLE',
      owner: 'stores',
      dueAt: at(9),
      actionId: A,
      postReviewId: P,
      reviewer: 'lead',
      postReviewDueAt: at(3),
    });
    const rows = fold([
      published,
      withPermit,
      blocked,
      glass,
      wo('WorkOrderClosed', 20),
      wo('WorkOrderReopened', 22),
      wo('WorkOrderClosureReported', 30, { evidenceMissing: true }),
    ]);
    const row = rows.workOrders.get(WO);
    // As many per code as the exceptions view holds of it.
    const raised: Record<string, number> = {};
    for (const x of rows.exceptions.values()) if (x) raised[x.code] = (raised[x.code] ?? 0) + 1;
    expect(raised).toEqual({ PERMIT: 1, PARTS_UNAVAILABLE: 2 });
    expect(row).toMatchObject({ exceptionCodes: raised, exceptionsTotal: 3, breakGlass: true });
    expect(rows.postReviews.get(P)).toMatchObject({ workOrderId: WO });
    // Closed on the first (20 h), reopened, closed again on the second of November (30 h): counted there alone.
    expect([...rows.closureCounts.keys()]).toEqual(['fix 1 2026-11-02']);
    expect(rows.closureCounts.get('fix 1 2026-11-02')).toMatchObject({
      workOrders: 1,
      firstTimeFix: 0,
      closuresWithEvidence: 0,
      stepsRequired: 2,
      stepsWithEvidence: 0,
      breakGlass: 1,
      codes: { PERMIT: 1, PARTS_UNAVAILABLE: 2 },
    });
    // Its time to close, 30 h: bucket 1 + floor(ln(108000) / ln(1.04)) = 296; the first closure's counts nothing.
    expect([...rows.closureBuckets.values()]).toEqual([
      {
        key: 'fix 1 2026-11-02 296',
        jobType: 'fix',
        version: 1,
        day: '2026-11-02',
        bucket: 296,
        closures: 1,
        millis: 30 * 3_600_000,
      },
    ]);
    // A post-review created for a work order without a break-glass: it owes one too.
    const created = event(`postreview-${P}`, 'PostReviewCreated', 4, {
      postReviewId: P,
      workOrderId: WO,
      exceptionId: X,
      reviewer: 'lead',
      dueAt: at(5),
      at: at(4),
    });
    expect(fold([published, opened, created]).workOrders.get(WO)).toMatchObject({
      breakGlass: true,
      exceptionCodes: {},
    });
    expect(fold([published, opened]).workOrders.get(WO)).toMatchObject({ breakGlass: false });
  });
});
