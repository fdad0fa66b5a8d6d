import { PatternChangeRef, PermittedAction } from '@workgate/contracts';
import { specify } from '../spec-support';
import { ApprovalCommand, approvals } from './approval.decider';

/** The approval of a widening pattern version (docs/patterns.md, A version that widens). */
const T0 = '2026-11-22T10:00:00.000Z';
const patternChange: PatternChangeRef = {
  changeId: 'pch-1',
  name: 'checklist',
  fromVersion: 1,
  version: 2,
  sha256: 'b'.repeat(64),
  changes: [{ path: 'systems[tracker].write', after: 'close', effect: 'widens', message: 'close added' }],
};
const propose = (reviewers?: string[]): ApprovalCommand => ({
  type: 'RequestPatternChange',
  approvalId: 'ap-p1',
  owner: 'controls',
  requestedBy: 'ana',
  expiresAt: '2026-11-23T10:00:00.000Z',
  patternChange,
  ...(reviewers ? { reviewers } : {}),
});
/** Written out here rather than taken from the code under test. */
const publishV2: PermittedAction = {
  system: 'workgate',
  operation: 'publish-pattern',
  kind: 'write',
  objects: ['pattern:checklist@2'],
};
const spec = specify(approvals, () => ({ now: T0 }));
const proposed = () => spec.given(...spec.history(propose()));
const decide = (by: string, decision: 'approve' | 'reject' | 'conditional'): ApprovalCommand => ({
  type: 'DecideApproval',
  by,
  decision,
  conditions: ['a test'],
});

describe('a pattern-change approval', () => {
  it('is requested for no work order, of kind pattern-change, with the change and the action that publishes it', () => {
    spec
      .given()
      .when(propose())
      .then(['ApprovalRequested'], ([e]) => {
        expect(e.data).toMatchObject({ kind: 'pattern-change', actionId: 'pch-1', patternChange, action: publishV2 });
        expect(e.data).not.toHaveProperty('workOrderId');
      });
  });

  it('is approved by the pattern owner with no permitted action; never by the proposer or anyone else', () => {
    proposed()
      .when(decide('controls', 'approve'))
      .then(['ApprovalGranted', 'ApprovalOfChangeSettled'], (_, after) =>
        expect(after).toMatchObject({ permittedAction: publishV2 }),
      );
    proposed().when(decide('ana', 'approve')).thenThrows('self_approval');
    proposed().when(decide('sec', 'approve')).thenThrows('not_owner');
  });

  it('takes no conditions, and may be rejected or withdrawn by its proposer', () => {
    proposed().when(decide('controls', 'conditional')).thenThrows('validation_failed');
    proposed().when(decide('controls', 'reject')).then(['ApprovalRejected', 'ApprovalOfChangeSettled']);
    proposed().when({ type: 'WithdrawApproval', by: 'ana' }).then(['ApprovalWithdrawn', 'ApprovalOfChangeSettled']);
  });

  it('is refused when nobody but the proposer could decide it', () => {
    spec
      .given()
      .when(propose(['ana']))
      .thenThrows('no_reviewers');
  });
});
