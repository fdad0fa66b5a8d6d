import { Subjects } from '@workgate/contracts';
import { QUICK_REFUND } from './support/fixtures';
import { eventually } from './support/processes';
import { onSharedWorkgate, APPROVALS_PRINCIPALS } from './support/suite';
import type {
  ActionAnswer,
  ApprovalQueueRow,
  ApprovalView,
  DecisionRecord,
  OpenedAnswer,
  Receipt,
} from '@workgate/contracts';
import { defined } from './support/answers';

import { refundFlow } from './support/approval-flow';

/** A refund waits for its owner; only the owner decides, never the requester; approval releases the action. */
describe('approvals over HTTP', () => {
  const suite = onSharedWorkgate(APPROVALS_PRINCIPALS);
  const { as } = suite;

  const { refund, workOrderWithRefund, close } = refundFlow(() => as);

  it('refund waits -> the owner approves the permitted action -> the action runs and closure is unblocked', async () => {
    const { id, approvalId } = await workOrderWithRefund('AP-1');
    expect((await as['support-lead']<ApprovalView>('GET', `/v1/approvals/${approvalId}`)).body).toMatchObject({
      status: 'requested',
      owner: 'support-lead',
      requestedBy: 'agent',
    });
    // What the owner reads to decide: the decision that waits, its rule, policy version, facts and receipt.
    const decisions = (await as['support-lead']<DecisionRecord[]>('GET', `/v1/work-orders/${id}/decisions`)).body;
    expect(decisions).toEqual([
      expect.objectContaining({
        approvalId,
        action: refund,
        facts: { amount: 40 },
        decision: 'wait',
        rule: 'refunds-and-credits-need-owner',
        policy: expect.objectContaining({ jobType: 'support-recovery', version: 1 }),
      }),
    ]);
    expect((await as['support-lead']<Receipt>('GET', `/v1/receipts/${decisions[0].receiptId}`)).body).toMatchObject({
      kind: 'decision',
      decision: 'wait',
      workOrderId: id,
    });
    expect((await as['support-lead']('GET', '/v1/me')).body).toEqual({
      id: 'support-lead',
      roles: ['approver', 'operator'],
    });
    expect(await close(id)).toMatchObject({ status: 409, body: { error: 'open_blockers' } });

    expect(
      await as.finance<ApprovalView>('POST', `/v1/approvals/${approvalId}/decision`, {
        decision: 'approve',
        permittedAction: refund,
      }),
    ).toMatchObject({ status: 403, body: { error: 'not_owner' } });
    expect(
      await as.agent<ApprovalView>('POST', `/v1/approvals/${approvalId}/decision`, {
        decision: 'approve',
        permittedAction: refund,
      }),
    ).toMatchObject({ status: 403 });
    expect(
      await as['support-lead']<ApprovalView>('POST', `/v1/approvals/${approvalId}/decision`, {
        decision: 'approve',
        permittedAction: { ...refund, operation: 'credit' },
      }),
    ).toMatchObject({ status: 422, body: { error: 'permitted_action_mismatch' } });
    expect(
      await as['support-lead']<ApprovalView>('POST', `/v1/approvals/${approvalId}/decision`, { decision: 'approve' }),
    ).toMatchObject({ status: 422, body: { error: 'permitted_action_mismatch' } });

    const approved = await as['support-lead']<ApprovalView>('POST', `/v1/approvals/${approvalId}/decision`, {
      decision: 'approve',
      permittedAction: refund,
    });
    expect(approved).toMatchObject({ status: 200, body: { status: 'approved', decidedBy: 'support-lead' } });
    const closed = await eventually(
      async () => {
        const r = await close(id);
        return r.status === 200 ? r : undefined;
      },
      10_000,
      'the work order to learn the approval',
    );
    expect(closed.body).toMatchObject({ status: 'closed' });
    const events = await suite.t.rpc.request(Subjects.intake.events, { workOrderId: id });
    expect(events.find((e) => e.type === 'ApprovalResolved')?.data).toMatchObject({
      approvalId,
      outcome: 'approved',
      decision: 'run',
      decidedBy: 'support-lead',
    });
  });

  it('lists the approval queue by owner and status, with age', async () => {
    const { approvalId } = await workOrderWithRefund('AP-Q');
    const queue = await eventually(
      async () => {
        const r = await as['support-lead']<ApprovalQueueRow[]>(
          'GET',
          '/v1/approvals?owner=support-lead&status=requested',
        );
        return r.body?.some((a) => a.approvalId === approvalId) ? r : undefined;
      },
      10_000,
      'the approval queue',
    );
    expect(queue.body.find((a) => a.approvalId === approvalId)).toMatchObject({
      owner: 'support-lead',
      requestedBy: 'agent',
      status: 'requested',
      ageSeconds: expect.any(Number),
    });
    expect((await as.agent('GET', '/v1/approvals')).status).toBe(403);
  });

  it('refuses self-approval: the requester may not approve their own request', async () => {
    const { approvalId } = await workOrderWithRefund('AP-2', 'support-lead');
    expect(
      await as['support-lead']<ApprovalView>('POST', `/v1/approvals/${approvalId}/decision`, {
        decision: 'approve',
        permittedAction: refund,
      }),
    ).toMatchObject({
      status: 403,
      body: { error: 'self_approval' },
    });
  });

  it('an unanswered approval expires after the workflow timeout and stops the action', async () => {
    expect((await suite.t.rpc.request(Subjects.policy.publish, { definition: QUICK_REFUND })).answer).toMatchObject({
      created: true,
    });
    const opened = await as.helpdesk<OpenedAnswer>('POST', '/v1/work-orders', {
      jobType: 'quick-refund',
      externalRef: 'AP-5',
      source: 'helpdesk',
      inputs: {},
    });
    const wait = await as.agent<ActionAnswer>('POST', `/v1/work-orders/${opened.body.id}/actions`, {
      system: 'payments',
      operation: 'refund',
      kind: 'write',
    });
    const approvalId = defined(wait.body.approvalId, 'the approval the action waits for');
    const expired = await eventually(
      async () => {
        const a = await as['support-lead']<ApprovalView>('GET', `/v1/approvals/${approvalId}`);
        return a.body?.status === 'expired' ? a : undefined;
      },
      15_000,
      'the approval to expire',
    );
    expect(expired.body).toMatchObject({ status: 'expired' });
    const resolved = await eventually(
      async () => {
        const events = await suite.t.rpc.request(Subjects.intake.events, { workOrderId: opened.body.id });
        return events.find((e) => e.type === 'ApprovalResolved');
      },
      10_000,
      'the expiry to reach the work order',
    );
    expect(resolved.data).toMatchObject({ outcome: 'expired', decision: 'stop' });
    const { rows } = await suite.t.db
      .appPool()
      .query(`SELECT count(*)::int AS n FROM ledger_events WHERE stream_id = $1 AND type = 'ApprovalExpired'`, [
        `approval-${approvalId}`,
      ]);
    expect(rows[0].n).toBe(1);
  });

  it('a rejected approval stops the action with the reason', async () => {
    const { id, approvalId } = await workOrderWithRefund('AP-4');
    expect(
      (
        await as['support-lead']<ApprovalView>('POST', `/v1/approvals/${approvalId}/decision`, {
          decision: 'reject',
          note: 'outside policy',
        })
      ).body,
    ).toMatchObject({ status: 'rejected' });
    const resolved = await eventually(
      async () => {
        const events = await suite.t.rpc.request(Subjects.intake.events, { workOrderId: id });
        return events.find((e) => e.type === 'ApprovalResolved');
      },
      10_000,
      'the rejection to reach the work order',
    );
    expect(resolved.data).toMatchObject({
      outcome: 'rejected',
      decision: 'stop',
      reason: `approval ${approvalId} rejected`,
    });
  });
});
