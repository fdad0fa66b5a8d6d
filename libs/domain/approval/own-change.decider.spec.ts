import { ApprovalRequestedData, WorkflowChangeRef } from '@workgate/contracts';
import { specify } from '../spec-support';
import { ApprovalCommand, approvals } from './approval.decider';

/** A widening change its workflow's owner proposed: its reviewers decide it (docs/policy.md, Changing a workflow). */
const T0 = '2026-11-22T10:00:00.000Z';
const change: WorkflowChangeRef = {
  changeId: 'ch-1',
  jobType: 'refund',
  fromVersion: 1,
  version: 2,
  sha256: 'b'.repeat(64),
  changes: [{ path: 'systems[payments].write', after: 'refund', effect: 'widens', message: 'refund added' }],
};
const proposeOwn: ApprovalCommand = {
  type: 'RequestWorkflowChange',
  approvalId: 'ap-1',
  owner: 'lead-admin',
  requestedBy: 'lead-admin',
  reviewers: ['ops-admin', 'sec-admin'],
  expiresAt: '2026-11-23T10:00:00.000Z',
  change,
};
const spec = specify(approvals, () => ({ now: T0 }));
const proposed = () => spec.given(...spec.history(proposeOwn));
const decide = (by: string, decision: 'approve' | 'reject' = 'approve'): ApprovalCommand => ({
  type: 'DecideApproval',
  by,
  decision,
});
const withdraw = (by: string, asAdmin = false): ApprovalCommand => ({ type: 'WithdrawApproval', by, asAdmin });

describe('a workflow change its owner proposed', () => {
  it('records its reviewers on the request', () => {
    spec
      .given()
      .when(proposeOwn)
      .then(['ApprovalRequested'], ([e]) => {
        const data: Partial<ApprovalRequestedData> = e.type === 'ApprovalRequested' ? e.data : {};
        expect(data).toMatchObject({
          owner: 'lead-admin',
          requestedBy: 'lead-admin',
          reviewers: ['ops-admin', 'sec-admin'],
        });
      });
  });

  it('is decided by any one reviewer, approving or rejecting', () => {
    proposed()
      .when(decide('ops-admin'))
      .then(['ApprovalGranted'], (_, after) =>
        expect(after).toMatchObject({ status: 'approved', decidedBy: 'ops-admin' }),
      );
    proposed()
      .when(decide('sec-admin', 'reject'))
      .then(['ApprovalRejected'], (_, after) =>
        expect(after).toMatchObject({ status: 'rejected', decidedBy: 'sec-admin' }),
      );
  });

  it('is never decided by the owner who proposed it (self_approval), nor by anyone not a reviewer (not_owner)', () => {
    proposed().when(decide('lead-admin')).thenThrows('self_approval');
    proposed().when(decide('lead-admin', 'reject')).thenThrows('self_approval');
    proposed().when(decide('support-lead')).thenThrows('not_owner');
  });

  it('keeps the reviewers after a decision, and a second decision is refused', () => {
    spec
      .given(...spec.history(proposeOwn, decide('ops-admin')))
      .when(decide('sec-admin'))
      .thenThrows('approval_decided');
  });

  it('is refused with no reviewer but the proposer (no_reviewers), nothing recorded', () => {
    spec
      .given()
      .when({ ...proposeOwn, reviewers: [] })
      .thenThrows('no_reviewers');
    spec
      .given()
      .when({ ...proposeOwn, reviewers: ['lead-admin'] })
      .thenThrows('no_reviewers');
  });
});

describe('withdrawing a workflow change', () => {
  it('is done by its proposer, or an admin: the approval is withdrawn', () => {
    proposed()
      .when(withdraw('lead-admin'))
      .then(['ApprovalWithdrawn'], (_, after) =>
        expect(after).toMatchObject({ status: 'withdrawn', withdrawnBy: 'lead-admin', at: T0 }),
      );
    proposed().when(withdraw('other-admin', true)).then(['ApprovalWithdrawn']);
  });

  it('is refused to anyone else (not_requester), once decided or withdrawn (approval_decided)', () => {
    proposed().when(withdraw('ops-admin')).thenThrows('not_requester');
    spec
      .given(...spec.history(proposeOwn, decide('ops-admin')))
      .when(withdraw('lead-admin'))
      .thenThrows('approval_decided');
    spec
      .given(...spec.history(proposeOwn, withdraw('lead-admin')))
      .when(withdraw('lead-admin'))
      .thenThrows('approval_decided');
  });

  it('leaves nothing to decide: a withdrawn change is not approved afterwards, nor does it expire', () => {
    spec
      .given(...spec.history(proposeOwn, withdraw('lead-admin')))
      .when(decide('ops-admin'))
      .thenThrows('approval_decided');
    spec
      .given(...spec.history(proposeOwn, withdraw('lead-admin')))
      .when({ type: 'ExpireApproval' }, { now: '2026-11-24T10:00:00.000Z' })
      .then([]);
  });

  it('is refused on an approval of a work order: that one is decided, not withdrawn', () => {
    spec
      .given(
        ...spec.history({
          type: 'RequestApproval',
          approvalId: 'ap-2',
          workOrderId: 'wo-1',
          actionId: 'act-1',
          owner: 'support-lead',
          requestedBy: 'agent-7',
          action: { system: 'payments', operation: 'refund', kind: 'write' },
          expiresAt: '2026-11-23T10:00:00.000Z',
        }),
      )
      .when(withdraw('agent-7', true))
      .thenThrows('validation_failed');
  });
});
