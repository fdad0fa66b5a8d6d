import { compileWorkflow } from '@workgate/workflow';
import { specify } from '../spec-support';
import { approvalOutcomeOf } from './approval-outcomes';
import { appendedEventsOf } from './outcomes';
import { workOrders } from './work-order.decider';
import { action, ctx, definition, meta, open, refund, stateAfter, work } from './work-order.fixtures';

const waiting = work.history(open, refund);
const approvalId = [...stateAfter(waiting).actions.values()][0].approvalId!;

describe('approval outcomes coming back to the work order', () => {
  it.each<['approved' | 'rejected' | 'expired', string]>([
    ['approved', 'run'],
    ['rejected', 'stop'],
    ['expired', 'stop'],
  ])('%s releases the waiting action as %s and unblocks closure', (outcome, decided) =>
    work
      .given(...waiting)
      .when({ type: 'ApplyApprovalOutcome', approvalId, outcome })
      .then(['ApprovalResolved'], ([e], s) => {
        expect(e.data).toMatchObject({ outcome, decision: decided });
        expect(s.status !== 'none' && [...s.actions.values()][0].pending).toBe(false);
      }),
  );

  it('applies an outcome once, and refuses an approval the work order does not know', () => {
    const resolved = [
      ...waiting,
      ...work
        .given(...waiting)
        .when({ type: 'ApplyApprovalOutcome', approvalId, outcome: 'approved' })
        .result(),
    ];
    work
      .given(...resolved)
      .when({ type: 'ApplyApprovalOutcome', approvalId, outcome: 'rejected' })
      .then([]);
    work
      .given(...waiting)
      .when({ type: 'ApplyApprovalOutcome', approvalId: 'nope', outcome: 'approved' })
      .thenThrows('not_found');
  });

  it('lists the open conditions of a conditional approval, ignoring an update older than the one shown', () => {
    const conditional = [
      ...waiting,
      ...work
        .given(...waiting)
        .when({
          type: 'ApplyApprovalOutcome',
          approvalId,
          outcome: 'conditional',
          openConditions: ['R-03', 'R-04'],
          approvalVersion: 2,
        })
        .result(),
    ];
    expect(stateAfter(conditional).approvals.get(approvalId)).toMatchObject({
      status: 'conditional',
      openConditions: ['R-03', 'R-04'],
    });
    work
      .given(...conditional)
      .when({
        type: 'ApplyApprovalOutcome',
        approvalId,
        outcome: 'conditional',
        openConditions: ['R-04'],
        approvalVersion: 3,
      })
      .then(['ApprovalConditional']);
    work
      .given(...conditional)
      .when({
        type: 'ApplyApprovalOutcome',
        approvalId,
        outcome: 'conditional',
        openConditions: ['R-03'],
        approvalVersion: 1,
      })
      .then([]);
  });
});

describe('approvals of tool calls (SPEC section 10)', () => {
  const call = (args: string) =>
    action('payments', 'refund', 'write', { argumentsSha256: args.repeat(64).slice(0, 64) });
  const waitingCall = work.history(open, call('a'));
  const callApproval = [...stateAfter(waitingCall).actions.values()][0].approvalId!;
  const approved = (permittedArguments?: string) => [
    ...waitingCall,
    ...work
      .given(...waitingCall)
      .when({
        type: 'ApplyApprovalOutcome',
        approvalId: callApproval,
        outcome: 'approved',
        decidedBy: 'owner',
        permittedAction: {
          system: 'payments',
          operation: 'refund',
          kind: 'write',
          ...(permittedArguments ? { argumentsSha256: permittedArguments.repeat(64).slice(0, 64) } : {}),
        },
      })
      .result(),
  ];

  it('runs the approved exact call once: asked again it is approved; a third time, or with other arguments, it waits', () => {
    const history = approved('a');
    work
      .given(...history)
      .when(call('a'))
      .then(['ActionDecided'], ([e]) =>
        expect(e.data).toMatchObject({ decision: { decision: 'run', reason: 'approved' }, coveredBy: callApproval }),
      );
    const used = [
      ...history,
      ...work
        .given(...history)
        .when(call('a'))
        .result(),
    ];
    work
      .given(...used)
      .when(call('a'))
      .then(['GateRequested', 'ActionDecided'], ([, e]) =>
        expect(e.data).toMatchObject({ decision: { decision: 'wait' } }),
      );
    work
      .given(...history)
      .when(call('b'))
      .then(['GateRequested', 'ActionDecided'], ([, e]) =>
        expect(e.data).toMatchObject({ decision: { decision: 'wait' } }),
      );
  });

  it('runs every call of the tool after an approval that names no arguments', () => {
    const history = approved();
    for (const args of ['a', 'b', 'c'])
      work
        .given(...history)
        .when(call(args))
        .then(['ActionDecided'], ([e]) =>
          expect(e.data).toMatchObject({ decision: { decision: 'run', reason: 'approved' }, coveredBy: callApproval }),
        );
  });

  it("binds an exact approval to the request's facts and objects too: the same arguments with other facts or objects wait", () => {
    const history = approved('a');
    const withFacts = action('payments', 'refund', 'write', {
      argumentsSha256: 'a'.repeat(64),
      facts: { amount: 1e6 },
    });
    const withObjects = action('payments', 'refund', 'write', {
      argumentsSha256: 'a'.repeat(64),
      objects: ['refund:other'],
    });
    for (const other of [withFacts, withObjects])
      work
        .given(...history)
        .when(other)
        .then(['GateRequested', 'ActionDecided'], ([, e]) =>
          expect(e.data).toMatchObject({ decision: { decision: 'wait' } }),
        );
  });

  it('never lets an approval cover a call another rule holds for another owner', () => {
    // Big refunds wait for the CFO; the support lead's approval of every refund call does not cover them.
    const big = compileWorkflow({
      ...definition,
      rules: [{ id: 'big-refunds', when: 'facts.amount > 1000', decision: 'wait', owner: 'cfo' }, ...definition.rules!],
    });
    const cfo = specify(workOrders, () => ctx({ workflow: big }));
    const refundOf = (args: string, amount: number) =>
      action('payments', 'refund', 'write', { argumentsSha256: args.repeat(64), facts: { amount } });
    const history = [...cfo.history(open, refundOf('a', 20))];
    const held = [...stateAfter(history).actions.values()][0].approvalId!;
    const all = [
      ...history,
      ...cfo
        .given(...history)
        .when({
          type: 'ApplyApprovalOutcome',
          approvalId: held,
          outcome: 'approved',
          decidedBy: 'support-lead',
          permittedAction: { system: 'payments', operation: 'refund', kind: 'write' },
        })
        .result(),
    ];
    cfo
      .given(...all)
      .when(refundOf('b', 30))
      .then(['ActionDecided'], ([e]) =>
        expect(e.data).toMatchObject({ decision: { decision: 'run', reason: 'approved' } }),
      );
    cfo
      .given(...all)
      .when(refundOf('b', 5000))
      .then(['GateRequested', 'ActionDecided'], ([, e]) =>
        expect(e.data).toMatchObject({ decision: { decision: 'wait', rule: 'big-refunds', decisionOwner: 'cfo' } }),
      );
  });

  it("records a run call's result once, only for whoever asked for it; the same result again records nothing, another is refused", () => {
    const read = action('shop', 'order', 'read', { argumentsSha256: 'c'.repeat(64) });
    const history = work.history(open, read);
    const actionId = [...stateAfter(history).actions.keys()][0];
    const result = (resultSha256: string) => ({
      type: 'RecordActionResult' as const,
      actionId,
      resultSha256,
    });
    const asOther = specify(workOrders, () => ctx({ meta: meta(undefined, 'someone-else') }));
    asOther
      .given(...history)
      .when(result('d'.repeat(64)))
      .thenThrows('forbidden');
    const recorded = [
      ...history,
      ...work
        .given(...history)
        .when(result('d'.repeat(64)))
        .result(),
    ];
    work
      .given(...recorded)
      .when(result('d'.repeat(64)))
      .then([]);
    work
      .given(...recorded)
      .when(result('e'.repeat(64)))
      .thenThrows('result_recorded');
  });

  it('leaves actions that are no tool calls as before: each waits for its own approval', () => {
    const resolved = [
      ...waiting,
      ...work
        .given(...waiting)
        .when({
          type: 'ApplyApprovalOutcome',
          approvalId,
          outcome: 'approved',
          permittedAction: { system: 'payments', operation: 'refund', kind: 'write', objects: ['refund:7'] },
        })
        .result(),
    ];
    work
      .given(...resolved)
      .when(refund)
      .then(['GateRequested', 'ActionDecided'], ([, e]) =>
        expect(e.data).toMatchObject({ decision: { decision: 'wait' } }),
      );
  });
});

describe('the work-order command an approval event causes', () => {
  const permitted = { system: 'payments', operation: 'refund', kind: 'write' as const };
  const append = {
    streamId: 'approval-a1',
    expectedVersion: 1,
    events: [
      {
        eventId: 'e2',
        type: 'ApprovalConditionClosed',
        data: {
          approvalId: 'a1',
          conditionId: 'c1',
          closedBy: 'lead',
          evidence: { kind: 'k', ref: 'r' },
          at: 't',
          openConditions: [],
        },
        occurredAt: 't',
      },
      {
        eventId: 'e3',
        type: 'ApprovalGranted',
        data: { approvalId: 'a1', decidedBy: 'lead', permittedAction: permitted, at: 't' },
        occurredAt: 't',
      },
    ],
  };

  it('reads an approval append at the versions its events will have, and refuses any other stream', () => {
    expect(appendedEventsOf('approval', append).map((e) => [e.type, e.streamVersion])).toEqual([
      ['ApprovalConditionClosed', 2],
      ['ApprovalGranted', 3],
    ]);
    expect(() => appendedEventsOf('approval', { ...append, streamId: 'workorder-w1' })).toThrow(
      expect.objectContaining({ code: 'validation_failed' }),
    );
    expect(() => appendedEventsOf('approval', { ...append, expectedVersion: 'any' })).toThrow(
      expect.objectContaining({ code: 'validation_failed' }),
    );
  });

  it('an outcome under one id per approval, however it arrives; the last condition closing causes nothing itself', () => {
    const [closed, granted] = appendedEventsOf('approval', append);
    expect(approvalOutcomeOf('a1', closed)).toBeUndefined();
    const approved = approvalOutcomeOf('a1', granted)!;
    expect(approved).toEqual({
      commandId: approved.commandId,
      actor: 'lead',
      channel: 'approvals',
      command: {
        type: 'ApplyApprovalOutcome',
        approvalId: 'a1',
        outcome: 'approved',
        permittedAction: permitted,
        decidedBy: 'lead',
      },
    });
    const rejected = approvalOutcomeOf('a1', {
      eventId: 'e9',
      streamVersion: 2,
      type: 'ApprovalRejected',
      data: { approvalId: 'a1', decidedBy: 'lead', at: 't' },
    })!;
    expect(rejected.commandId).toBe(approved.commandId);
    expect(
      approvalOutcomeOf('a1', {
        eventId: 'e9',
        streamVersion: 2,
        type: 'ApprovalExpired',
        data: { approvalId: 'a1', at: 't' },
      }),
    ).toMatchObject({ actor: 'approvals', command: { type: 'ApplyApprovalOutcome', outcome: 'expired' } });
  });

  it('open conditions under an id per event, with the approval version they reflect', () => {
    const conditions = [{ conditionId: 'c1', text: 'R-03', closed: false }];
    const conditioned = approvalOutcomeOf('a1', {
      eventId: 'e2',
      streamVersion: 2,
      type: 'ApprovalConditioned',
      data: { approvalId: 'a1', decidedBy: 'lead', permittedAction: permitted, conditions, at: 't' },
    })!;
    expect(conditioned.command).toEqual({
      type: 'ApplyApprovalOutcome',
      approvalId: 'a1',
      outcome: 'conditional',
      openConditions: ['R-03'],
      approvalVersion: 2,
      decidedBy: 'lead',
    });
    const closedOne = approvalOutcomeOf('a1', {
      eventId: 'e3',
      streamVersion: 3,
      type: 'ApprovalConditionClosed',
      data: {
        approvalId: 'a1',
        conditionId: 'c0',
        closedBy: 'ops',
        evidence: { kind: 'k', ref: 'r' },
        at: 't',
        openConditions: ['R-03'],
      },
    })!;
    expect(closedOne).toMatchObject({
      actor: 'ops',
      command: { type: 'ApplyApprovalOutcome', openConditions: ['R-03'], approvalVersion: 3 },
    });
    expect(closedOne.commandId).not.toBe(conditioned.commandId);
  });
});
