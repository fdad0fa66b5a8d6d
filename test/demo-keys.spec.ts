import { namedPeople } from '../cli/demo-keys';

describe("the demo's people", () => {
  it('are everyone a definition or a code names as owner, reviewer, change reviewer, approver or escalation target, once each', () => {
    const definition = {
      jobType: 'desk',
      owner: 'desk-lead',
      changeReviewers: ['ops-admin', 'desk-lead'],
      systems: [{ name: 'shop', owner: 'shop-lead', write: ['owner'] }],
      rules: [{ id: 'two', decision: 'wait', approvals: { required: 2, from: ['desk-lead', 'auditor'] } }],
      // The parts a pattern gave an effective definition are no people.
      pattern: { name: 'governed-checklist', from: ['exceptionCodes.PREREQ_MISSING', 'breakGlass'] },
      stages: [{ id: 'plan', gate: 'g', owner: 'client-sponsor' }],
      steps: [{ id: 'fix', title: 'owner: not a key', owner: 'coding-agent' }],
      breakGlass: { allowed: true, reviewer: 'desk-lead' },
    };
    const codes = [{ code: 'SAFETY_HOLD', owner: 'safety-officer', escalateTo: 'operations-manager' }];
    expect(namedPeople([definition, ...codes])).toEqual([
      'auditor',
      'client-sponsor',
      'coding-agent',
      'desk-lead',
      'operations-manager',
      'ops-admin',
      'safety-officer',
      'shop-lead',
    ]);
  });
});
