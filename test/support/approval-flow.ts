import type { ActionAnswer, OpenedAnswer } from '@workgate/contracts';
import { defined } from './answers';
import { client } from './principals';
import { eventually } from './processes';

/**
 * The support-recovery refund that waits for support-lead, as the approvals specs
 * (test/approvals*.e2e-spec.ts) set it up: `as()` are the file's clients (helpdesk opens, agent
 * completes the steps and asks, support-lead owns the approval).
 */
export function refundFlow(as: () => Record<string, ReturnType<typeof client>>) {
  const refund = { system: 'payments', operation: 'refund', kind: 'write', objects: ['order:1001'] };
  const steps = ['inspect-case', 'validate-address', 'update-order', 'notify-warehouse', 'confirm-customer'];

  async function workOrderWithRefund(ref: string, requester = 'agent') {
    const opened = await as().helpdesk<OpenedAnswer>('POST', '/v1/work-orders', {
      jobType: 'support-recovery',
      externalRef: ref,
      source: 'helpdesk',
      inputs: { caseId: ref, orderId: '1001', orderPaid: true },
    });
    const id = opened.body.id;
    for (const step of steps)
      await as().agent('POST', `/v1/work-orders/${id}/steps/${step}/complete`, {
        evidence: [{ kind: 'receipt', ref: `${step}-r` }],
      });
    const wait = await as()[requester]<ActionAnswer>('POST', `/v1/work-orders/${id}/actions`, {
      ...refund,
      facts: { amount: 40 },
    });
    expect(wait.body).toMatchObject({
      decision: 'wait',
      decisionOwner: 'support-lead',
      approvalId: expect.any(String),
    });
    const approvalId = defined(wait.body.approvalId, 'the approval the action waits for');
    await eventually(
      async () => (await as()['support-lead']('GET', `/v1/approvals/${approvalId}`)).status === 200,
      10_000,
      'the approval to open',
    );
    return { id, approvalId };
  }
  const close = (id: string) =>
    as().agent('POST', `/v1/work-orders/${id}/close`, {
      closureEvidenceId: 'CE',
      evidence: [{ kind: 'closure-note', ref: 'n' }],
    });
  return { refund, steps, workOrderWithRefund, close };
}
