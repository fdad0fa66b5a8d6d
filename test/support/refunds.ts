import type { ActionAnswer, OpenedAnswer } from '@workgate/contracts';
import { client } from './principals';
import { eventually } from './processes';

type Call = ReturnType<typeof client>;

/** The refund of the shipped support-recovery workflow: it waits for `support-lead`'s approval. */
export const REFUND = { system: 'payments', operation: 'refund', kind: 'write' };

/** A support-recovery refund opened by `opener` and requested by `requester`; answers the approval it waits for. */
export async function refundWaiting(
  opener: Call,
  requester: Call,
  owner: Call,
  externalRef: string,
): Promise<{ approvalId: string; workOrderId: string }> {
  const opened = await opener<OpenedAnswer>('POST', '/v1/work-orders', {
    jobType: 'support-recovery',
    externalRef,
    source: 'sign-in',
    inputs: { caseId: 'C-1', orderId: '1', orderPaid: true },
  });
  if (opened.status !== 201) throw new Error(`opening: ${opened.status} ${opened.text}`);
  const wait = await requester<ActionAnswer>('POST', `/v1/work-orders/${opened.body.id}/actions`, {
    ...REFUND,
    facts: { amount: 20 },
  });
  if (wait.status !== 201 || !wait.body.approvalId) throw new Error(`requesting: ${wait.status} ${wait.text}`);
  const approvalId = wait.body.approvalId;
  // The approvals service opens it from the ledger, a moment after the decision.
  await eventually(
    async () => (await owner('GET', `/v1/approvals/${approvalId}`)).status === 200,
    10_000,
    `approval ${approvalId}`,
  );
  return { approvalId, workOrderId: opened.body.id };
}
