import { WorkflowDefinition } from '@workgate/contracts';

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
