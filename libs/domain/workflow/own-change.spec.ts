import { WorkflowDefinition } from '@workgate/contracts';
import { specify } from '../spec-support';
import { WorkflowCommand, workflows } from './workflow.decider';

/** Who decides a widening change the workflow's owner proposes (docs/policy.md, Changing a workflow). */
const T0 = '2026-11-22T10:00:00.000Z';
const v1: WorkflowDefinition = {
  jobType: 'desk',
  version: 1,
  title: 'Desk',
  owner: 'lead-admin',
  systems: [{ name: 'shop', read: true, write: [] }],
};
const v2 = (current: WorkflowDefinition): WorkflowDefinition => ({
  ...current,
  version: 2,
  systems: [{ name: 'shop', read: true, write: ['order.note'] }],
});
const publish = (definition: WorkflowDefinition, by: string, adminApprovers?: string[]): WorkflowCommand => ({
  type: 'PublishVersion',
  definition,
  sha256: `sha-${definition.version}-${JSON.stringify(definition.systems)}`,
  by,
  governed: true,
  changeId: `ch-${definition.version}`,
  approvalId: `ap-${definition.version}`,
  ...(adminApprovers ? { adminApprovers } : {}),
});
const spec = specify(workflows, () => ({ now: T0 }));
const given = (...commands: WorkflowCommand[]) => spec.given(...spec.history(...commands));
const admins = ['lead-admin', 'ops-admin', 'sec-admin'];

describe('a widening change proposed by the owner of the version in force', () => {
  it('goes to every other admin with the approver role when the workflow names no changeReviewers', () => {
    given(publish(v1, 'lead-admin'))
      .when(publish(v2(v1), 'lead-admin', admins))
      .then(['WorkflowChangeProposed'], ([e]) =>
        expect(e.data).toMatchObject({
          owner: 'lead-admin',
          proposedBy: 'lead-admin',
          reviewers: ['ops-admin', 'sec-admin'],
        }),
      );
  });

  it("goes to the version in force's changeReviewers, whoever has which role, never the proposer", () => {
    const named = { ...v1, changeReviewers: ['lead-admin', 'desk-lead'] };
    given(publish(named, 'lead-admin'))
      .when(publish(v2(named), 'lead-admin', admins))
      .then(['WorkflowChangeProposed'], ([e]) => expect(e.data).toMatchObject({ reviewers: ['desk-lead'] }));
  });

  it('is refused (no_reviewers) when nobody else could decide it', () => {
    given(publish(v1, 'lead-admin'))
      .when(publish(v2(v1), 'lead-admin', ['lead-admin']))
      .thenThrows('no_reviewers');
    given(publish(v1, 'lead-admin'))
      .when(publish(v2(v1), 'lead-admin'))
      .thenThrows('no_reviewers');
    const alone = { ...v1, changeReviewers: ['lead-admin'] };
    given(publish(alone, 'lead-admin'))
      .when(publish(v2(alone), 'lead-admin', admins))
      .thenThrows('no_reviewers');
  });

  it('names no reviewers when someone else proposes it: the owner decides', () => {
    given(publish(v1, 'lead-admin'))
      .when(publish(v2(v1), 'ops-admin', admins))
      .then(['WorkflowChangeProposed'], ([e]) => {
        expect(e.data).toMatchObject({ owner: 'lead-admin', proposedBy: 'ops-admin' });
        expect(e.data).not.toHaveProperty('reviewers');
      });
  });

  it('publishes at once, reviewers or not, what does not widen', () => {
    const narrower = { ...v1, version: 2, title: 'Desk, renamed' };
    given(publish(v1, 'lead-admin'))
      .when(publish(narrower, 'lead-admin', []))
      .then(['WorkflowPublished']);
  });

  it('closes as withdrawn, keeping the version in force', () => {
    given(publish(v1, 'lead-admin'), publish(v2(v1), 'lead-admin', admins))
      .when({ type: 'CloseChange', approvalId: 'ap-2', outcome: 'withdrawn', by: 'lead-admin' })
      .then(['WorkflowChangeClosed'], ([e], after) => {
        expect(e.data).toMatchObject({ version: 2, outcome: 'withdrawn', decidedBy: 'lead-admin' });
        expect(after).toMatchObject({ status: 'published', current: { version: 1 } });
      });
  });
});
