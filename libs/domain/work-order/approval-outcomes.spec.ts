import { open, refund, stateAfter, work } from './work-order.fixtures';

const waiting = work.history(open, refund);
const approvalId = [...stateAfter(waiting).actions.values()][0].approvalId!;

describe('approval outcomes coming back to the work order', () => {
  it.each<['approved' | 'rejected' | 'expired', string]>([
    ['approved', 'run'],
    ['rejected', 'stop'],
    ['expired', 'stop'],
  ])('%s releases the waiting action as %s and unblocks closure', (outcome, decided) =>
    work.given(...waiting).when({ type: 'ApplyApprovalOutcome', body: { approvalId, outcome } }).then(['ApprovalResolved'], ([e], s) => {
      expect(e.data).toMatchObject({ outcome, decision: decided });
      expect(s.status !== 'none' && [...s.actions.values()][0].pending).toBe(false);
    }));

  it('applies an outcome once, and refuses an approval the work order does not know', () => {
    const resolved = [...waiting, ...work.given(...waiting).when({ type: 'ApplyApprovalOutcome', body: { approvalId, outcome: 'approved' } }).result().events];
    work.given(...resolved).when({ type: 'ApplyApprovalOutcome', body: { approvalId, outcome: 'rejected' } }).then([]);
    work.given(...waiting).when({ type: 'ApplyApprovalOutcome', body: { approvalId: 'nope', outcome: 'approved' } }).thenThrows('not_found');
  });

  it('lists the open conditions of a conditional approval, ignoring an update older than the one shown', () => {
    const conditional = [...waiting, ...work.given(...waiting).when({ type: 'ApplyApprovalOutcome', body: { approvalId, outcome: 'conditional', openConditions: ['R-03', 'R-04'], approvalVersion: 2 } }).result().events];
    expect(stateAfter(conditional).approvals.get(approvalId)).toMatchObject({ status: 'conditional', openConditions: ['R-03', 'R-04'] });
    work.given(...conditional).when({ type: 'ApplyApprovalOutcome', body: { approvalId, outcome: 'conditional', openConditions: ['R-04'], approvalVersion: 3 } }).then(['ApprovalConditional']);
    work.given(...conditional).when({ type: 'ApplyApprovalOutcome', body: { approvalId, outcome: 'conditional', openConditions: ['R-03'], approvalVersion: 1 } }).then([]);
  });
});
