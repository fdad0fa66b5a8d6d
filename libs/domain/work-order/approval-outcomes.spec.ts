import { action, open, refund, stateAfter, work } from './work-order.fixtures';

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

describe('approvals of tool calls (SPEC section 10)', () => {
  const call = (args: string) => action('payments', 'refund', 'write', { argumentsSha256: args.repeat(64).slice(0, 64) });
  const waitingCall = work.history(open, call('a'));
  const callApproval = [...stateAfter(waitingCall).actions.values()][0].approvalId!;
  const approved = (permittedArguments?: string) => [
    ...waitingCall,
    ...work
      .given(...waitingCall)
      .when({
        type: 'ApplyApprovalOutcome',
        body: { approvalId: callApproval, outcome: 'approved', decidedBy: 'owner', permittedAction: { system: 'payments', operation: 'refund', kind: 'write', ...(permittedArguments ? { argumentsSha256: permittedArguments.repeat(64).slice(0, 64) } : {}) } },
      })
      .result().events,
  ];

  it('runs the approved exact call once: asked again it is approved; a third time, or with other arguments, it waits', () => {
    const history = approved('a');
    work.given(...history).when(call('a')).then(['ActionDecided'], ([e]) => expect(e.data).toMatchObject({ decision: { decision: 'run', reason: 'approved' }, coveredBy: callApproval }));
    const used = [...history, ...work.given(...history).when(call('a')).result().events];
    work.given(...used).when(call('a')).then(['GateRequested', 'ActionDecided'], ([, e]) => expect(e.data).toMatchObject({ decision: { decision: 'wait' } }));
    work.given(...history).when(call('b')).then(['GateRequested', 'ActionDecided'], ([, e]) => expect(e.data).toMatchObject({ decision: { decision: 'wait' } }));
  });

  it('runs every call of the tool after an approval that names no arguments', () => {
    const history = approved();
    for (const args of ['a', 'b', 'c']) work.given(...history).when(call(args)).then(['ActionDecided'], ([e]) => expect(e.data).toMatchObject({ decision: { decision: 'run', reason: 'approved' }, coveredBy: callApproval }));
  });

  it('leaves actions that are no tool calls as before: each waits for its own approval', () => {
    const resolved = [...waiting, ...work.given(...waiting).when({ type: 'ApplyApprovalOutcome', body: { approvalId, outcome: 'approved', permittedAction: { system: 'payments', operation: 'refund', kind: 'write', objects: ['refund:7'] } } }).result().events];
    work.given(...resolved).when(refund).then(['GateRequested', 'ActionDecided'], ([, e]) => expect(e.data).toMatchObject({ decision: { decision: 'wait' } }));
  });
});
