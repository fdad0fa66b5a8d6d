import { WorkflowDefinition } from '@workgate/contracts';
import { workflowMap } from './map';

/** An effective definition (docs/patterns.md, The effective definition): what the pattern gave is in `pattern.from`. */
const REFUNDS: WorkflowDefinition = {
  jobType: 'refunds',
  version: 1,
  title: 'Refunds',
  owner: 'ana',
  requiredInputs: [{ name: 'customerId' }, { name: 'orderId' }],
  systems: [
    { name: 'tracker', read: true, write: ['comment'] },
    { name: 'payments', read: true, write: ['refund'] },
  ],
  rules: [
    { id: 'no-deletes', when: 'action.operation == "delete"', decision: 'stop' },
    { id: 'refunds-wait', when: 'action.operation == "refund"', decision: 'wait' },
  ],
  steps: [
    { id: 'check-prerequisites', title: 'Check the prerequisites' },
    { id: 'refund', title: 'Refund the customer' },
  ],
  stages: [{ id: 'plan', artifact: 'plan', gate: 'plan-approved' }],
  exceptionCodes: ['PREREQ_MISSING', 'PAYMENT_MISMATCH'],
  approval: { timeout: 'PT4H' },
  breakGlass: { allowed: true, postReviewDue: 'P2D', reviewer: 'controls' },
  closure: { evidence: ['handover-note', 'refund-receipt'] },
  pattern: {
    name: 'governed-checklist',
    version: 1,
    sha256: 'a'.repeat(64),
    from: [
      'requiredInputs.customerId',
      'systems.tracker',
      'rules.no-deletes',
      'steps.check-prerequisites',
      'exceptionCodes.PREREQ_MISSING',
      'closure.evidence.handover-note',
      'approval',
      'breakGlass',
    ],
    locked: ['rules', 'breakGlass', 'closure'],
  },
};

describe('the map of a workflow that extends a pattern', () => {
  it("marks every node the pattern's parts gave, and no other", () => {
    const map = workflowMap(REFUNDS, 'b'.repeat(64));
    expect(map.nodes.filter((n) => n.from === 'pattern').map((n) => n.id)).toEqual([
      'input:customerId',
      'tracker',
      'check-prerequisites',
      'no-deletes',
      'gate:plan-approved',
      'PREREQ_MISSING',
      'break-glass',
      'closure',
    ]);
    expect(map.nodes.filter((n) => n.from === undefined).map((n) => n.id)).toEqual([
      'input:orderId',
      'payments',
      'refund',
      'refunds-wait',
      'plan',
      'PAYMENT_MISMATCH',
    ]);
  });

  it('marks nothing in a workflow that extends no pattern', () => {
    const { pattern: _, ...own } = REFUNDS;
    expect(workflowMap(own, 'b'.repeat(64)).nodes.filter((n) => 'from' in n)).toEqual([]);
  });
});
