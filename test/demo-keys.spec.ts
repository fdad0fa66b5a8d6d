import { namedPeople } from '../cli/demo-keys';

describe("the demo's people", () => {
  it('are everyone a definition or a code names as owner, reviewer, change reviewer or escalation target, once each', () => {
    const definition = {
      jobType: 'desk',
      owner: 'desk-lead',
      changeReviewers: ['ops-admin', 'desk-lead'],
      systems: [{ name: 'shop', owner: 'shop-lead', write: ['owner'] }],
      stages: [{ id: 'plan', gate: 'g', owner: 'client-sponsor' }],
      steps: [{ id: 'fix', title: 'owner: not a key', owner: 'coding-agent' }],
      breakGlass: { allowed: true, reviewer: 'desk-lead' },
    };
    const codes = [{ code: 'SAFETY_HOLD', owner: 'safety-officer', escalateTo: 'operations-manager' }];
    expect(namedPeople([definition, ...codes])).toEqual([
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
