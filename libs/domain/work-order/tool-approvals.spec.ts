import { compileWorkflow } from '@workgate/workflow';
import { specify } from '../spec-support';
import { workOrders } from './work-order.decider';
import { action, ctx, definition, meta, open, refund, stateAfter, work, andThen } from './work-order.fixtures';

const waiting = work.history(open, refund);
const approvalId = [...stateAfter(waiting).actions.values()][0].approvalId!;

describe('approvals of tool calls (docs/agents.md, The MCP gateway)', () => {
  const call = (args: string) =>
    action('payments', 'refund', 'write', { argumentsSha256: args.repeat(64).slice(0, 64) });
  const waitingCall = work.history(open, call('a'));
  const callApproval = [...stateAfter(waitingCall).actions.values()][0].approvalId!;
  const approved = (permittedArguments?: string) =>
    andThen(waitingCall, {
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
    });

  it('runs the approved exact call once: asked again it is approved; a third time, or with other arguments, it waits', () => {
    const history = approved('a');
    work
      .given(...history)
      .when(call('a'))
      .then(['ActionDecided'], ([e]) =>
        expect(e.data).toMatchObject({ decision: { decision: 'run', reason: 'approved' }, coveredBy: callApproval }),
      );
    const used = andThen(history, call('a'));
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
    const recorded = andThen(history, result('d'.repeat(64)));
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
    const resolved = andThen(waiting, {
      type: 'ApplyApprovalOutcome',
      approvalId,
      outcome: 'approved',
      permittedAction: { system: 'payments', operation: 'refund', kind: 'write', objects: ['refund:7'] },
    });
    work
      .given(...resolved)
      .when(refund)
      .then(['GateRequested', 'ActionDecided'], ([, e]) =>
        expect(e.data).toMatchObject({ decision: { decision: 'wait' } }),
      );
  });
});
