import { Streams, Subjects } from '@workgate/contracts';

import { eventually } from './support/processes';
import { onSharedWorkgate, APPROVALS_PRINCIPALS } from './support/suite';
import type { ApprovalQueueRow, ApprovalView, WorkOrderHandoff } from '@workgate/contracts';
import { fieldProblemsOf, found } from './support/answers';
import { isRecord } from './support/guards';
import { refundFlow } from './support/approval-flow';

/**
 * What an approval's decision commits: the decision and its work order's outcome in one commit, at
 * the position its answer names; conditions that hold closure until each closes with evidence.
 */
describe('approvals over HTTP: decisions and conditions', () => {
  const suite = onSharedWorkgate(APPROVALS_PRINCIPALS);
  const { as } = suite;

  const { refund, workOrderWithRefund, close } = refundFlow(() => as);

  /** The work order's events up to a ledger position (what a read at that position holds). */
  const eventsUpTo = async (id: string, position: number) =>
    (await suite.t.rpc.request(Subjects.intake.events, { workOrderId: id })).filter((e) => e.position <= position);

  /**
   * The ledger rows an approval's write recorded: its event on the approval's stream and the outcome on
   * its work order, both naming the approval (read from the ledger table, not from the answer).
   */
  const rowsOf = async (approvalId: string, approvalType: string, workOrderType: string) =>
    (
      await suite.t.db.ownerPool().query<{ position: number; type: string }>(
        `SELECT position::int AS position, type FROM ledger_events
           WHERE data->>'approvalId' = $1 AND (stream_id = $2 AND type = $3 OR stream_id LIKE 'workorder-%' AND type = $4)
           ORDER BY position`,
        [approvalId, `approval-${approvalId}`, approvalType, workOrderType],
      )
    ).rows;
  /**
   * docs/api.md: a write answers `Workgate-Position` of its commit. The decision's commit holds the
   * approval's event and the work order's outcome, next to each other; the header is that commit's
   * last position, not any later one.
   */
  async function expectPositionOfItsCommit(
    answer: { headers: Headers },
    approvalId: string,
    approvalType: string,
    workOrderType: string,
  ): Promise<number> {
    const rows = await rowsOf(approvalId, approvalType, workOrderType);
    expect(rows.map((r) => r.type).sort()).toEqual([approvalType, workOrderType].sort());
    const [first, last] = [rows[0].position, rows[rows.length - 1].position];
    expect(last - first).toBe(1);
    expect(answer.headers.get('workgate-position')).toBe(String(last));
    return last;
  }

  it("a decision's position covers its work order: read at once, by the approver or at Workgate-Position, it shows the outcome", async () => {
    const { id, approvalId } = await workOrderWithRefund('AP-RYW');
    const approved = await as['support-lead']<ApprovalView>('POST', `/v1/approvals/${approvalId}/decision`, {
      decision: 'approve',
      permittedAction: refund,
    });
    expect(approved.status).toBe(200);
    const position = await expectPositionOfItsCommit(approved, approvalId, 'ApprovalGranted', 'ApprovalResolved');
    // The outcome is recorded in the decision's own commit, not after it.
    expect((await eventsUpTo(id, position)).find((e) => e.type === 'ApprovalResolved')?.data).toMatchObject({
      approvalId,
      outcome: 'approved',
      decision: 'run',
    });
    for (const read of [
      await as['support-lead']<WorkOrderHandoff>('GET', `/v1/work-orders/${id}`),
      await as.helpdesk<WorkOrderHandoff>('GET', `/v1/work-orders/${id}`, undefined, {
        'Workgate-Min-Position': String(position),
      }),
    ]) {
      expect(read.status).toBe(200);
      expect(Object.values(read.body.approvals)).toEqual(['approved']);
      expect(read.body.pendingApprovals).toEqual([]);
      expect(read.body.blockers).toEqual([]);
      expect(read.body.nextAction).not.toMatch(/approval/);
    }
    // And closure, which decides on the work order's state, is no longer blocked.
    expect(await close(id)).toMatchObject({ status: 200, body: { status: 'closed' } });
  });

  it('a rejection and a conditional approval reach the work order in their own commit too', async () => {
    const rejectedOne = await workOrderWithRefund('AP-RYW-R');
    const rejected = await as['support-lead']('POST', `/v1/approvals/${rejectedOne.approvalId}/decision`, {
      decision: 'reject',
      note: 'outside policy',
    });
    await expectPositionOfItsCommit(rejected, rejectedOne.approvalId, 'ApprovalRejected', 'ApprovalResolved');
    expect(
      (await eventsUpTo(rejectedOne.id, Number(rejected.headers.get('workgate-position')))).find(
        (e) => e.type === 'ApprovalResolved',
      )?.data,
    ).toMatchObject({
      approvalId: rejectedOne.approvalId,
      outcome: 'rejected',
      decision: 'stop',
    });
    const { id, approvalId } = await workOrderWithRefund('AP-RYW-C');
    const conditional = await as['support-lead']<ApprovalView>('POST', `/v1/approvals/${approvalId}/decision`, {
      decision: 'conditional',
      permittedAction: refund,
      conditions: ['R-03: retention policy signed'],
    });
    const at = await expectPositionOfItsCommit(conditional, approvalId, 'ApprovalConditioned', 'ApprovalConditional');
    expect((await eventsUpTo(id, at)).find((e) => e.type === 'ApprovalConditional')?.data).toMatchObject({
      approvalId,
      openConditions: ['R-03: retention policy signed'],
    });
    const read = await as.helpdesk<WorkOrderHandoff>('GET', `/v1/work-orders/${id}`, undefined, {
      'Workgate-Min-Position': String(at),
    });
    expect(read.body.pendingApprovals).toEqual([expect.objectContaining({ approvalId, status: 'conditional' })]);
    // The approver's queue shows what is left to close, as the approval itself does.
    const queue = await as['support-lead']<ApprovalQueueRow[]>(
      'GET',
      '/v1/approvals?owner=support-lead&status=conditional',
    );
    const row = found(queue.body, (a) => a.approvalId === approvalId, 'the approval in the queue');
    expect(row).toMatchObject({
      status: 'conditional',
      conditions: [{ conditionId: 'c1', title: 'R-03: retention policy signed', owner: 'support-lead', closed: false }],
    });
    expect(row.conditions).toEqual(
      (await as['support-lead']<ApprovalView>('GET', `/v1/approvals/${approvalId}`)).body.conditions,
    );
    // The last condition closing turns it approved, in that commit.
    const closed = await as['support-lead']<ApprovalView>('POST', `/v1/approvals/${approvalId}/conditions/c1/close`, {
      evidence: { kind: 'signed-policy', ref: 'R-03' },
    });
    expect(closed.body).toMatchObject({ status: 'approved' });
    expect(
      (await eventsUpTo(id, Number(closed.headers.get('workgate-position')))).find((e) => e.type === 'ApprovalResolved')
        ?.data,
    ).toMatchObject({ approvalId, outcome: 'approved' });
    expect(await close(id)).toMatchObject({ status: 200 });
    // The reaction that carries outcomes recorded elsewhere (intake's consumer of the approvals' ledger events)
    // finds them applied: once it has acknowledged the approval's last event, each outcome is there once.
    const lastOfApproval = (
      await suite.t.db
        .ownerPool()
        .query<{ p: number }>('SELECT max(position)::int AS p FROM ledger_events WHERE stream_id = $1', [
          `approval-${approvalId}`,
        ])
    ).rows[0].p;
    const jsm = await suite.t.nc.jetstreamManager();
    await eventually(
      async () =>
        (await jsm.consumers.info(Streams.ledger.name, 'intake-approval-outcomes')).ack_floor.stream_seq >=
        lastOfApproval,
      10_000,
      "intake's approval outcomes reaction past the approval's last event",
    );
    const events = await suite.t.rpc.request(Subjects.intake.events, { workOrderId: id });
    expect(events.filter((e) => e.type === 'ApprovalResolved')).toHaveLength(1);
    expect(events.filter((e) => e.type === 'ApprovalConditional')).toHaveLength(1);
  });

  it('a conditional approval blocks closure until its last condition closes with evidence', async () => {
    const { id, approvalId } = await workOrderWithRefund('AP-3');
    const conditional = await as['support-lead']<ApprovalView>('POST', `/v1/approvals/${approvalId}/decision`, {
      decision: 'conditional',
      permittedAction: refund,
      conditions: ['R-03: retention policy signed'],
    });
    expect(conditional.body).toMatchObject({
      status: 'conditional',
      conditions: [{ conditionId: 'c1', closed: false }],
    });
    await new Promise((r) => setTimeout(r, 300));
    expect(await close(id)).toMatchObject({ status: 409, body: { error: 'open_blockers' } });
    const done = await as['support-lead']<ApprovalView>('POST', `/v1/approvals/${approvalId}/conditions/c1/close`, {
      evidence: { kind: 'signed-policy', ref: 'R-03' },
    });
    expect(done.body).toMatchObject({ status: 'approved' });
    await eventually(async () => (await close(id)).status === 200, 10_000, 'closure after the condition closed');
  });

  /**
   * Conditions (docs/api.md, What the commands record; docs/api.md, Conventions): a condition is never the requester's to meet
   * or close (its owner may not be the requester, 422; the requester's close is 403 `self_approval`,
   * even with the approver role), and evidence is one object or a list.
   */
  describe('conditions', () => {
    const conditional = (approvalId: string, conditions: unknown[]) =>
      as['support-lead']<ApprovalView>('POST', `/v1/approvals/${approvalId}/decision`, {
        decision: 'conditional',
        permittedAction: refund,
        conditions,
      });
    const pathsOf = (body: unknown): string[] => [
      ...new Set(fieldProblemsOf(isRecord(body) && Array.isArray(body.details) ? body.details : []).map((d) => d.path)),
    ];
    const statusOf = async (approvalId: string) =>
      (await as['support-lead']<ApprovalView>('GET', `/v1/approvals/${approvalId}`)).body.status;

    it('refuses a condition whose owner is the requester (422 naming conditions[i].owner)', async () => {
      const { approvalId } = await workOrderWithRefund('SOD-1', 'clerk');
      const answer = await conditional(approvalId, [
        'refund cap confirmed',
        { title: 'customer called back', owner: 'clerk' },
      ]);
      expect(answer).toMatchObject({
        status: 422,
        body: {
          error: 'validation_failed',
          details: [{ path: 'conditions[1].owner', message: expect.stringContaining('clerk') }],
        },
      });
      expect(await statusOf(approvalId)).toBe('requested');
    });

    it('refuses the requester closing a condition of its own request (403 self_approval): the approval stays conditional', async () => {
      const { approvalId } = await workOrderWithRefund('SOD-2', 'clerk');
      expect((await conditional(approvalId, ['refund cap confirmed'])).status).toBe(200);
      const closed = await as.clerk('POST', `/v1/approvals/${approvalId}/conditions/c1/close`, {
        evidence: [{ kind: 'note', ref: 'done' }],
      });
      expect(closed).toMatchObject({ status: 403, body: { error: 'self_approval', message: expect.any(String) } });
      expect(await statusOf(approvalId)).toBe('conditional');
    });

    it('closes a condition with evidence as a list', async () => {
      const { approvalId } = await workOrderWithRefund('EV-1', 'clerk');
      expect((await conditional(approvalId, [{ title: 'retention policy signed', owner: 'finance' }])).status).toBe(
        200,
      );
      const closed = await as.finance<ApprovalView>('POST', `/v1/approvals/${approvalId}/conditions/c1/close`, {
        evidence: [
          { kind: 'signed-policy', ref: 'R-03' },
          { kind: 'email', ref: 'msg-42', private: true },
        ],
      });
      expect(closed).toMatchObject({ status: 200, body: { status: 'approved' } });
    });

    it('closes a condition with one evidence object, as before', async () => {
      const { approvalId } = await workOrderWithRefund('EV-2', 'clerk');
      expect((await conditional(approvalId, ['retention policy signed'])).status).toBe(200);
      const closed = await as['support-lead']<ApprovalView>('POST', `/v1/approvals/${approvalId}/conditions/c1/close`, {
        evidence: { kind: 'signed-policy', ref: 'R-03' },
      });
      expect(closed).toMatchObject({ status: 200, body: { status: 'approved' } });
    });

    it('refuses an empty evidence list and a malformed item, naming what is wrong', async () => {
      const { approvalId } = await workOrderWithRefund('EV-3', 'clerk');
      expect((await conditional(approvalId, ['retention policy signed'])).status).toBe(200);
      const close = (evidence: unknown) =>
        as['support-lead']('POST', `/v1/approvals/${approvalId}/conditions/c1/close`, { evidence });
      expect(await close([])).toMatchObject({
        status: 422,
        body: {
          error: 'validation_failed',
          details: [{ path: 'evidence', message: expect.stringMatching(/at least one/) }],
        },
      });
      const malformed = await close([{ kind: 'signed-policy', ref: 'R-03' }, { kind: 'email' }]);
      expect(malformed).toMatchObject({ status: 422, body: { error: 'validation_failed' } });
      expect(pathsOf(malformed.body)).toEqual(['evidence[1].ref']);
      const text = await close('R-03');
      expect(text).toMatchObject({ status: 422, body: { error: 'validation_failed' } });
      expect(pathsOf(text.body)).toEqual(['evidence']);
      expect(await statusOf(approvalId)).toBe('conditional');
    });
  });
});
