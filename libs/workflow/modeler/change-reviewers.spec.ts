import { WorkflowDefinition } from '@workgate/contracts';
import { changeReviewers } from './change-reviewers';
import { diffDefinitions } from './diff';

/** A workflow owned by an admin, with nothing to write. */
const v1: WorkflowDefinition = { jobType: 'desk', version: 1, title: 'Desk', owner: 'lead-admin', systems: [] };

describe('the reviewers of a change its owner proposes', () => {
  it('are the admins with the approver role but the proposer, without changeReviewers', () => {
    expect(changeReviewers(v1, 'lead-admin', ['sec-admin', 'lead-admin', 'ops-admin'])).toEqual([
      'ops-admin',
      'sec-admin',
    ]);
  });

  it("are the workflow's changeReviewers, whatever the roles, never the proposer", () => {
    const named = { ...v1, changeReviewers: ['desk-lead', 'lead-admin'] };
    expect(changeReviewers(named, 'lead-admin', ['ops-admin'])).toEqual(['desk-lead']);
  });

  it('are none when nobody but the proposer is named', () => {
    expect(changeReviewers(v1, 'lead-admin', ['lead-admin'])).toEqual([]);
    expect(changeReviewers({ ...v1, changeReviewers: [] }, 'lead-admin', ['ops-admin'])).toEqual([]);
  });

  it('widen the boundary when changed: other people decide the owner’s changes', () => {
    const named = { ...v1, version: 2, changeReviewers: ['desk-lead'] };
    expect(diffDefinitions(v1, named)).toEqual({
      widens: true,
      changes: [expect.objectContaining({ path: 'changeReviewers', effect: 'widens', after: ['desk-lead'] })],
    });
    expect(diffDefinitions(named, { ...named, version: 3 })).toEqual({ widens: false, changes: [] });
  });
});
