import { Rule, WorkflowDefinition } from '@workgate/contracts';
import { diffDefinitions } from './diff';

/** Who approves what a wait rule holds is part of the boundary: taking actions to another owner widens. */
const base: WorkflowDefinition = {
  jobType: 'owners-job',
  version: 1,
  title: 'Owners',
  owner: 'lead',
  systems: [{ name: 'ci', read: true, write: ['deploy', 'other'] }],
};
const effects = (before: WorkflowDefinition, after: WorkflowDefinition) =>
  diffDefinitions(before, { ...after, version: before.version + 1 }).changes.map((c) => c.effect);

describe('workflow diff: the owner of a held action', () => {
  it('a wait rule that takes actions from a later wait rule of another owner or gate widens', () => {
    const holds = (id: string, owner: string, when = 'action.operation == "deploy"') => ({
      id,
      when,
      decision: 'wait' as const,
      owner,
    });
    const d = (...rules: Rule[]) => ({ ...base, rules });
    // Added ahead of bob's rule, alice's rule holds bob's actions for alice.
    expect(effects(d(holds('bob-holds', 'bob')), d(holds('alice-holds', 'alice'), holds('bob-holds', 'bob')))).toEqual([
      'widens',
    ]);
    // Matching more, alice's rule takes the deploys bob held.
    const other = 'action.operation == "other"';
    expect(
      effects(
        d(holds('a', 'alice', other), holds('bob-holds', 'bob')),
        d(holds('a', 'alice', `${other} || action.operation == "deploy"`), holds('bob-holds', 'bob')),
      ),
    ).toEqual(['widens']);
    // The same owner and gate hold them as before: narrowing stays narrowing.
    expect(
      effects(
        d(holds('a', 'bob', other), { ...holds('bob-holds', 'bob'), gate: 'a' }),
        d(holds('a', 'bob', `${other} || action.operation == "deploy"`), { ...holds('bob-holds', 'bob'), gate: 'a' }),
      ),
    ).toEqual(['narrows']);
  });
});
