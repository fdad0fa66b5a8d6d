import { startsOf } from './starts';
import { answerOf } from './answers';
import {
  action,
  answerWith,
  ctx,
  decisionOf,
  existing,
  given,
  hoursAfter,
  meta,
  open,
  openWith,
  orderNote,
  refund,
  stateAfter,
  work,
  workflow,
  andThen,
} from './work-order.fixtures';
import { decideWorkOrder } from './work-order.decider';
import { WorkOrderEvent } from './work-order.state';

function decidedOf(events: WorkOrderEvent[]) {
  const decided = events.find((e) => e.type === 'ActionDecided');
  if (decided?.type !== 'ActionDecided') throw new Error('no ActionDecided');
  return decided;
}

describe('requesting an action: one verdict, decided once over the workflow version', () => {
  it('runs inside the boundary, with the request, its facts and the work order as the rules saw it in one event', () =>
    given(open)
      .when(action('shop', 'order.note', 'write', { facts: { orderFulfilled: false } }))
      .then(['ActionDecided'], ([decided], s) => {
        expect(decided.data).toMatchObject({
          action: { system: 'shop', operation: 'order.note', kind: 'write' },
          facts: { orderFulfilled: false },
          workOrder: { id: 'wo-1', status: 'open' },
        });
        const answer = answerWith(answerOf(decided, existing(s)), 'rule');
        expect(answer).toMatchObject({
          decision: 'run',
          reason: 'inside_boundary',
          rule: null,
          decisionOwner: null,
          receiptId: decided.eventId,
          policy: { version: 1 },
        });
        expect(answer).not.toHaveProperty('approvalId');
      }));

  it('stops outside the boundary, naming why', () => {
    given(open)
      .when(action('crm', 'contact.update'))
      .then(['ActionDecided'], ([e]) =>
        expect(decisionOf(e)).toMatchObject({
          decision: 'stop',
          reason: 'system_not_named',
          decisionOwner: 'support-lead',
        }),
      );
    given(open)
      .when(action('shop', 'order.delete'))
      .then(['ActionDecided'], ([e]) =>
        expect(decisionOf(e)).toMatchObject({ decision: 'stop', reason: 'write_not_allowed' }),
      );
  });

  it('waits for its rule gate owner: the gate request and its approval are recorded with the decision, and block closure', () => {
    const decided = work
      .given(...work.history(open))
      .when(refund)
      .result();
    expect(decided.map((e) => e.type)).toEqual(['GateRequested', 'ActionDecided']);
    const [gate, d] = [decided[0], decidedOf(decided)];
    const s = stateAfter([...work.history(open), ...decided]);
    const answer = answerWith(answerOf(d, s), 'rule');
    expect(answer).toMatchObject({
      decision: 'wait',
      rule: 'refunds-need-owner',
      decisionOwner: 'support-lead',
      receiptId: d.eventId,
      approvalId: d.data.approvalId,
    });
    expect(gate.data).toEqual({
      workOrderId: 'wo-1',
      approvalId: d.data.approvalId,
      kind: 'commercial',
      owner: 'support-lead',
      scope: 'original',
      source: { actionId: d.data.actionId },
      action: { system: 'payments', operation: 'refund', kind: 'write', objects: ['refund:7'] },
      policy: d.data.decision.policy,
    });
    // The approval starts in the same commit: its id can be decided the moment the answer arrives.
    expect(startsOf(decided, workflow)).toEqual([
      {
        stream: 'approval',
        id: d.data.approvalId,
        events: [
          {
            type: 'ApprovalRequested',
            data: expect.objectContaining({
              approvalId: d.data.approvalId,
              workOrderId: 'wo-1',
              actionId: d.data.actionId,
              owner: 'support-lead',
              requestedBy: 'op-1',
              kind: 'commercial',
              expiresAt: hoursAfter(24),
            }),
          },
        ],
      },
    ]);
    expect([...s.actions.values()][0]).toMatchObject({ pending: true });
    // A retry's answer, from what the work order keeps: the same, without the recorded request.
    const kept = s.handled.get(d.metadata.commandId)!;
    expect(answerOf(kept, s)).toEqual(answer);
    expect(kept.data).toEqual({ actionId: d.data.actionId, decision: d.data.decision, approvalId: d.data.approvalId });
  });

  describe('a work order a failed prerequisite blocks (rule 0)', () => {
    const opened = work.history(openWith({ orderId: '1001', orderPaid: false }));
    const [exception] = stateAfter(opened).exceptions.values();

    it('stops a write, naming the exception and its owner, before the boundary and the rules', () => {
      work
        .given(...opened)
        .when(refund)
        .then(['ActionDecided'], ([e]) => {
          expect(decisionOf(e)).toMatchObject({
            decision: 'stop',
            reason: 'work_order_blocked',
            rule: null,
            decisionOwner: 'intake-lead',
            message: `work order wo-1 is blocked by a failed prerequisite (PREREQ_MISSING, exception ${exception.exceptionId}); writes stop until intake-lead resolves it`,
          });
        });
    });

    it('still runs a read', () =>
      work
        .given(...opened)
        .when(action('shop', 'order', 'read'))
        .then(['ActionDecided'], ([e]) =>
          expect(decisionOf(e)).toMatchObject({ decision: 'run', reason: 'inside_boundary' }),
        ));

    it('decides writes as usual once the exception is resolved', () => {
      const resolved = andThen(opened, { type: 'CloseException', exceptionId: exception.exceptionId });
      work
        .given(...resolved)
        .when(orderNote)
        .then(['ActionDecided'], ([e], after) => {
          expect(after.status).toBe('open');
          expect(decisionOf(e)).toMatchObject({ decision: 'run' });
        });
    });
  });

  it('reads a ledger of an earlier version: a request recorded before its decision, a wait without its gate request', () => {
    const opened = work.history(open);
    const m = meta('older-request');
    const events = decideWorkOrder(refund, stateAfter(opened), ctx({ meta: m }));
    const decided = decidedOf(events);
    const { actionId, workOrderId, action: request, facts } = decided.data;
    const requested: WorkOrderEvent = {
      ...decided,
      type: 'ActionRequested',
      eventId: '00000000-0000-4000-8000-000000000001',
      data: { actionId, workOrderId, action: request, facts },
    };
    const s = stateAfter([...opened, requested, decided]);
    expect([...s.actions.values()]).toEqual([expect.objectContaining({ pending: true })]);
    expect(s.approvals.get(decided.data.approvalId!)).toMatchObject({
      kind: 'commercial',
      owner: 'support-lead',
      status: 'requested',
      source: { actionId },
    });
    // The retried command is recognised by its decision, as before.
    expect(decideWorkOrder(refund, s, ctx({ meta: m }))).toEqual([]);
  });

  it('refuses an unknown step', () =>
    given(open)
      .when(action('shop', 'x', 'read', { stepId: 'nope' }))
      .thenThrows('unknown_step'));
});
