import { WorkflowDefinition } from '@workgate/contracts';
import { specify } from '../spec-support';
import { WorkflowCommand, workflows } from './workflow.decider';

const T0 = '2026-11-22T10:00:00.000Z';
const v1: WorkflowDefinition = {
  jobType: 'desk',
  version: 1,
  title: 'Desk',
  owner: 'desk-lead',
  systems: [{ name: 'shop', read: true, write: ['order.note'] }],
  approval: { timeout: 'PT2H' },
};
const publish = (definition: WorkflowDefinition, governed = true): WorkflowCommand => ({
  type: 'PublishVersion',
  definition,
  sha256: `sha-${definition.version}-${JSON.stringify(definition.systems)}-${JSON.stringify(definition.rules ?? [])}`,
  by: 'admin-1',
  governed,
  changeId: `ch-${definition.version}`,
  approvalId: `ap-${definition.version}`,
});
const writes: WorkflowDefinition = {
  ...v1,
  version: 2,
  systems: [{ name: 'shop', read: true, write: ['order.note', 'order.refund'] }],
};
/** A wait rule for a write the boundary already allows: it only holds what ran before. */
const waits: WorkflowDefinition = {
  ...v1,
  version: 2,
  rules: [{ id: 'w', when: 'action.system == "shop" && action.operation == "order.note"', decision: 'wait' }],
};

const spec = specify(workflows, () => ({ now: T0 }));
const given = (...commands: WorkflowCommand[]) => spec.given(...spec.history(...commands));

describe('the workflow aggregate', () => {
  it('publishes the first version at once', () => {
    given().when(publish(v1)).then(['WorkflowPublished']);
  });

  it('proposes a widening version to the owner of the version in force, expiring after its approval timeout', () => {
    given(publish(v1))
      .when(publish(writes))
      .then(['WorkflowChangeProposed'], ([e]) =>
        expect(e.data).toMatchObject({
          owner: 'desk-lead',
          proposedBy: 'admin-1',
          fromVersion: 1,
          version: 2,
          expiresAt: '2026-11-22T12:00:00.000Z',
          changes: [expect.objectContaining({ effect: 'widens' })],
        }),
      );
  });

  it("publishes at once what does not widen, and the deployer's own files", () => {
    given(publish(v1)).when(publish(waits)).then(['WorkflowPublished']);
    given(publish(v1)).when(publish(writes, false)).then(['WorkflowPublished']);
  });

  it('publishes an approved change, closes a rejected or expired one, once', () => {
    const proposed = [publish(v1), publish(writes)];
    given(...proposed)
      .when({ type: 'CloseChange', approvalId: 'ap-2', outcome: 'approved', by: 'desk-lead' })
      .then(['WorkflowPublished'], ([e], after) => {
        expect(e.data).toMatchObject({ version: 2, approvedBy: 'desk-lead', changeId: 'ch-2' });
        expect(after).toMatchObject({ status: 'published', current: { version: 2 } });
      });
    given(...proposed)
      .when({ type: 'CloseChange', approvalId: 'ap-2', outcome: 'rejected', by: 'desk-lead' })
      .then(['WorkflowChangeClosed'], (_, after) => expect(after).toMatchObject({ current: { version: 1 } }));
    given(...proposed, { type: 'CloseChange', approvalId: 'ap-2', outcome: 'expired' })
      .when({ type: 'CloseChange', approvalId: 'ap-2', outcome: 'approved', by: 'desk-lead' })
      .then([]);
  });

  it('closes an approved change as superseded when a higher version was published meanwhile', () => {
    const v3: WorkflowDefinition = { ...waits, version: 3 };
    given(publish(v1), publish(writes), publish(v3))
      .when({ type: 'CloseChange', approvalId: 'ap-2', outcome: 'approved', by: 'desk-lead' })
      .then(['WorkflowChangeClosed'], ([e], after) => {
        expect(e.data).toMatchObject({ version: 2, outcome: 'superseded' });
        expect(after).toMatchObject({ current: { version: 3 } });
      });
  });

  it('records nothing for the same content again, published or waiting', () => {
    given(publish(v1)).when(publish(v1)).then([]);
    given(publish(v1), publish(writes)).when(publish(writes)).then([]);
  });

  it('refuses a version not above the one in force or the one waiting for approval', () => {
    given(publish(v1), publish(writes))
      .when(publish({ ...waits, version: 2 }))
      .thenThrows('version_not_higher');
  });

  it('keeps a draft with its problems; an update of a draft that does not exist is refused', () => {
    const save = (create: boolean): WorkflowCommand => ({
      type: 'SaveDraft',
      draftId: 'd-1',
      jobType: 'desk',
      create,
      source: 'version: x',
      problems: [{ path: 'version', message: 'must be an integer' }],
      by: 'admin-1',
    });
    given().when(save(true)).then(['WorkflowDraftSaved']);
    given().when(save(false)).thenThrows('not_found');
    given(save(true))
      .when(save(false))
      .then(['WorkflowDraftSaved'], ([e]) => expect(e.data).toMatchObject({ revision: 2 }));
  });
});
