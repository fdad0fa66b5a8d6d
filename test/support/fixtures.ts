import { OpenedAnswer, WorkflowDefinition } from '@workgate/contracts';

/** A workflow whose refunds wait for support-lead, and whose approvals expire after one second. */
export const QUICK_REFUND: WorkflowDefinition = {
  jobType: 'quick-refund',
  version: 1,
  title: 'Quick refund',
  owner: 'support-lead',
  systems: [{ name: 'payments', read: true, write: [] }],
  rules: [{ id: 'refunds-wait', when: 'action.operation == "refund"', decision: 'wait' }],
  approval: { timeout: 'PT1S' },
};

/** A workflow that allows break-glass, whose post-review (by `reviewer`, also its owner) falls due after one second. */
export const urgentFix = (jobType: string, reviewer = 'support-lead'): WorkflowDefinition => ({
  jobType,
  version: 1,
  title: 'Urgent fix',
  owner: reviewer,
  systems: [{ name: 'shop', read: true, write: ['order.note'] }],
  exceptionCodes: ['CUSTOMER_UNREACHABLE'],
  breakGlass: { allowed: true, postReviewDue: 'PT1S', reviewer },
});

/** A support case opened by an integrator on the shipped `support-recovery` workflow (201 expected): its work order id. */
export async function openSupportCase(
  integrator: <T>(method: string, path: string, body?: unknown) => Promise<{ status: number; body: T }>,
  externalRef: string,
): Promise<string> {
  const opened = await integrator<OpenedAnswer>('POST', '/v1/work-orders', {
    jobType: 'support-recovery',
    externalRef,
    source: 'helpdesk',
    inputs: { caseId: externalRef, orderId: '1', orderPaid: true },
  });
  expect(opened.status).toBe(201);
  return opened.body.id;
}
