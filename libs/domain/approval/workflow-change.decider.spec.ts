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

/** What `command` records on a new approval: its ApprovalRequested event's data. */
function requested(command: ApprovalCommand): Partial<ApprovalRequestedData> {
  let data: Partial<ApprovalRequestedData> = {};
  spec
    .given()
    .when(command)
    .then(['ApprovalRequested'], ([e]) => {
      if (e.type === 'ApprovalRequested') data = e.data;
    });
  return data;
}

describe('a workflow-change approval', () => {
  it('is requested for no work order, of kind workflow-change, with the change and the action that publishes it', () => {
    const data = requested(propose);
    expect(data).toMatchObject({ kind: 'workflow-change', actionId: 'ch-1', change, action: publishV2 });
    expect(data.workOrderId).toBeUndefined();
  });

  it('is approved by its owner with no permitted action, and permits publishing that version', () => {
    proposed()
      .when(decide('support-lead', 'approve'))
      .then(['ApprovalGranted', 'ApprovalOfChangeSettled'], (_, after) =>
        expect(after).toMatchObject({ status: 'approved', permittedAction: publishV2 }),
      );
  });

  it('is approved naming the action the proposal answered, and refuses any other action', () => {
    proposed()
      .when(decide('support-lead', 'approve', publishV2))
      .then(['ApprovalGranted', 'ApprovalOfChangeSettled']);
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
    proposed().when(decide('support-lead', 'reject')).then(['ApprovalRejected', 'ApprovalOfChangeSettled']);
    proposed()
      .when({ type: 'ExpireApproval' }, { now: '2026-11-23T10:00:00.000Z' })
      .then(['ApprovalExpired', 'ApprovalOfChangeSettled']);
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

/** A widening change its workflow's owner proposed: its reviewers decide it (docs/policy.md, Changing a workflow). */
const proposeOwn: ApprovalCommand = {
  ...propose,
  owner: 'lead-admin',
  requestedBy: 'lead-admin',
  reviewers: ['ops-admin', 'sec-admin'],
};
/** The owner's proposal, then `after` it. */
const proposedOwn = (...after: ApprovalCommand[]) => spec.given(...spec.history(proposeOwn, ...after));
/** A decision with no conditions: a workflow change takes none. */
const decideOwn = (by: string, decision: 'approve' | 'reject' = 'approve'): ApprovalCommand => ({
  type: 'DecideApproval',
  by,
  decision,
});
const withdraw = (by: string, asAdmin = false): ApprovalCommand => ({ type: 'WithdrawApproval', by, asAdmin });

describe('a workflow change its owner proposed', () => {
  it('records its reviewers on the request', () => {
    expect(requested(proposeOwn)).toMatchObject({
      owner: 'lead-admin',
      requestedBy: 'lead-admin',
      reviewers: ['ops-admin', 'sec-admin'],
    });
  });

  it('is decided by any one reviewer, approving or rejecting', () => {
    proposedOwn()
      .when(decideOwn('ops-admin'))
      .then(['ApprovalGranted', 'ApprovalOfChangeSettled'], (_, after) =>
        expect(after).toMatchObject({ status: 'approved', decidedBy: 'ops-admin' }),
      );
    proposedOwn()
      .when(decideOwn('sec-admin', 'reject'))
      .then(['ApprovalRejected', 'ApprovalOfChangeSettled'], (_, after) =>
        expect(after).toMatchObject({ status: 'rejected', decidedBy: 'sec-admin' }),
      );
  });

  it('is never decided by the owner who proposed it (self_approval), nor by anyone not a reviewer (not_owner)', () => {
    proposedOwn().when(decideOwn('lead-admin')).thenThrows('self_approval');
    proposedOwn().when(decideOwn('lead-admin', 'reject')).thenThrows('self_approval');
    proposedOwn().when(decideOwn('support-lead')).thenThrows('not_owner');
  });

  it('keeps the reviewers after a decision, and a second decision is refused', () => {
    proposedOwn(decideOwn('ops-admin')).when(decideOwn('sec-admin')).thenThrows('approval_decided');
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

const refund: PermittedAction = { system: 'payments', operation: 'refund', kind: 'write' };
/** A work order's refund waiting for its approval (ap-2): not a change. */
const refundWaiting = () =>
  spec.given(
    ...spec.history({
      type: 'RequestApproval',
      approvalId: 'ap-2',
      workOrderId: 'wo-1',
      actionId: 'act-1',
      owner: 'support-lead',
      requestedBy: 'agent-7',
      action: refund,
      expiresAt: '2026-11-23T10:00:00.000Z',
    }),
  );

describe('withdrawing a workflow change', () => {
  it('is done by its proposer, or an admin: the approval is withdrawn', () => {
    proposedOwn()
      .when(withdraw('lead-admin'))
      .then(['ApprovalWithdrawn', 'ApprovalOfChangeSettled'], (_, after) =>
        expect(after).toMatchObject({ status: 'withdrawn', withdrawnBy: 'lead-admin', at: T0 }),
      );
    proposedOwn().when(withdraw('other-admin', true)).then(['ApprovalWithdrawn', 'ApprovalOfChangeSettled']);
  });

  it('is refused to anyone else (not_requester), once decided or withdrawn (approval_decided)', () => {
    proposedOwn().when(withdraw('ops-admin')).thenThrows('not_requester');
    proposedOwn(decideOwn('ops-admin')).when(withdraw('lead-admin')).thenThrows('approval_decided');
    proposedOwn(withdraw('lead-admin')).when(withdraw('lead-admin')).thenThrows('approval_decided');
  });

  it('leaves nothing to decide: a withdrawn change is not approved afterwards, nor does it expire', () => {
    proposedOwn(withdraw('lead-admin')).when(decideOwn('ops-admin')).thenThrows('approval_decided');
    proposedOwn(withdraw('lead-admin')).when({ type: 'ExpireApproval' }, { now: '2026-11-24T10:00:00.000Z' }).then([]);
  });

  it('is refused on an approval of a work order: that one is decided, not withdrawn', () => {
    refundWaiting().when(withdraw('agent-7', true)).thenThrows('validation_failed');
  });
});

describe("a change's approval settled (docs/ledger.md, Who writes which stream)", () => {
  const T1 = '2026-11-22T11:00:00.000Z';
  const DUE = '2026-11-23T10:00:00.000Z';

  it('records ApprovalOfChangeSettled beside each outcome, naming the approval, the outcome and its time', () => {
    const cases: Array<[ApprovalCommand, string, string]> = [
      [decide('support-lead', 'approve'), 'granted', T1],
      [decide('support-lead', 'reject'), 'rejected', T1],
      [withdraw('admin-1'), 'withdrawn', T1],
      [{ type: 'ExpireApproval' }, 'expired', DUE],
    ];
    for (const [command, outcome, now] of cases) {
      const events = proposed().when(command, { now }).result();
      expect(events).toHaveLength(2);
      expect(events[1]).toEqual({ type: 'ApprovalOfChangeSettled', data: { approvalId: 'ap-1', outcome, at: now } });
    }
  });

  it("records nothing beside the outcome of a work order's approval", () => {
    const waiting = refundWaiting();
    waiting.when(decide('support-lead', 'approve', refund)).then(['ApprovalGranted']);
    waiting.when(decide('support-lead', 'reject')).then(['ApprovalRejected']);
    waiting.when({ type: 'ExpireApproval' }, { now: DUE }).then(['ApprovalExpired']);
  });
});
