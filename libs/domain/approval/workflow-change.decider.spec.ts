import { ApprovalRequestedData, PermittedAction, WorkflowChangeRef } from '@workgate/contracts';
import { specify } from '../spec-support';
import { ApprovalCommand, approvals } from './approval.decider';

const T0 = '2026-11-22T10:00:00.000Z';
const change: WorkflowChangeRef = {
  changeId: 'ch-1',
  jobType: 'refund',
  fromVersion: 1,
  version: 2,
  sha256: 'a'.repeat(64),
  changes: [
    {
      path: 'systems[payments].write',
      after: 'refund',
      effect: 'widens',
      message: 'write operation "refund" on payments added',
    },
  ],
};
const propose: ApprovalCommand = {
  type: 'RequestWorkflowChange',
  approvalId: 'ap-1',
  owner: 'support-lead',
  requestedBy: 'admin-1',
  expiresAt: '2026-11-23T10:00:00.000Z',
  change,
};
/** The action the 202 names, written out here rather than taken from the code under test. */
const publishV2: PermittedAction = {
  system: 'workgate',
  operation: 'publish-workflow',
  kind: 'write',
  objects: ['workflow:refund@2'],
};

const spec = specify(approvals, () => ({ now: T0 }));
const proposed = () => spec.given(...spec.history(propose));
const decide = (
  by: string,
  decision: 'approve' | 'reject' | 'conditional',
  permittedAction?: PermittedAction,
): ApprovalCommand => ({ type: 'DecideApproval', by, decision, permittedAction, conditions: ['a test'] });

describe('a workflow-change approval', () => {
  it('is requested for no work order, of kind workflow-change, with the change and the action that publishes it', () => {
    spec
      .given()
      .when(propose)
      .then(['ApprovalRequested'], ([e]) => {
        const data: Partial<ApprovalRequestedData> = e.type === 'ApprovalRequested' ? e.data : {};
        expect(data).toMatchObject({ kind: 'workflow-change', actionId: 'ch-1', change, action: publishV2 });
        expect(data.workOrderId).toBeUndefined();
      });
  });

  it('is approved by its owner with no permitted action, and permits publishing that version', () => {
    proposed()
      .when(decide('support-lead', 'approve'))
      .then(['ApprovalGranted'], (_, after) =>
        expect(after).toMatchObject({ status: 'approved', permittedAction: publishV2 }),
      );
  });

  it('is approved naming the action the proposal answered, and refuses any other action', () => {
    proposed()
      .when(decide('support-lead', 'approve', publishV2))
      .then(['ApprovalGranted']);
    proposed()
      .when(decide('support-lead', 'approve', { ...publishV2, objects: ['workflow:refund@3'] }))
      .thenThrows('permitted_action_mismatch');
  });

  it('keeps every rule of the decider: not by the proposer, only by the owner, once', () => {
    proposed().when(decide('admin-1', 'approve')).thenThrows('self_approval');
    proposed().when(decide('someone-else', 'approve')).thenThrows('not_owner');
    spec
      .given(...spec.history(propose, decide('support-lead', 'reject')))
      .when(decide('support-lead', 'approve'))
      .thenThrows('approval_decided');
  });

  it('is rejected, or expires undecided at its time', () => {
    proposed().when(decide('support-lead', 'reject')).then(['ApprovalRejected']);
    proposed().when({ type: 'ExpireApproval' }, { now: '2026-11-23T10:00:00.000Z' }).then(['ApprovalExpired']);
  });

  it('takes no conditions', () => {
    proposed()
      .when(decide('support-lead', 'conditional', publishV2))
      .thenThrows('validation_failed');
  });

  it('is requested once however often the proposal is seen', () => {
    proposed().when(propose).then([]);
  });
});
