import { startsOf } from './starts';
import { answerOf } from './answers';
import {
  answerWith,
  ctx,
  given,
  hoursAfter,
  meta,
  open,
  openWith,
  stateAfter,
  work,
  workflow,
} from './work-order.fixtures';
import { decideWorkOrder } from './work-order.decider';
import { initialWorkOrderState } from './work-order.state';

describe('opening a work order', () => {
  it('opens with every prerequisite passing, on the current workflow version', () =>
    given()
      .when(open)
      .then(['WorkOrderOpened'], ([e], s) => {
        expect(s.status).toBe('open');
        expect(answerOf(e, stateAfter([e]))).toEqual({
          id: 'wo-1',
          status: 'open',
          prerequisites: [
            { name: 'orderId', ok: true },
            { name: 'orderPaid', ok: true },
          ],
          exceptions: [],
        });
        expect(e.data).toMatchObject({ policy: { jobType: 'support-recovery', version: 1 }, owner: 'support-lead' });
      }));

  it('opens blocked when a prerequisite fails: PREREQ_MISSING (owner and SLA from the catalog) recorded beside the opening starts its own stream', () => {
    const failing = openWith({ orderId: '', orderPaid: false });
    const decided = work.given().when(failing).result();
    expect(decided.map((e) => e.type)).toEqual(['WorkOrderOpened', 'WorkOrderExceptionRaised']);
    const s = stateAfter(decided);
    expect(s.status).toBe('blocked');
    const answer = answerWith(answerOf(decided[0], s), 'prerequisites');
    expect(answer.prerequisites).toEqual([
      { name: 'orderId', ok: false, reason: 'orderId is missing' },
      { name: 'orderPaid', ok: false, reason: 'orderPaid must be true, got false' },
    ]);
    const [exception] = answer.exceptions;
    expect(exception).toEqual(
      expect.objectContaining({ code: 'PREREQ_MISSING', owner: 'intake-lead', dueAt: hoursAfter(4), stepId: null }),
    );
    expect(startsOf(decided, workflow)).toEqual([
      {
        stream: 'exception',
        id: exception.exceptionId,
        events: [
          expect.objectContaining({
            type: 'ExceptionRaised',
            data: expect.objectContaining({
              exceptionId: exception.exceptionId,
              workOrderId: 'wo-1',
              code: 'PREREQ_MISSING',
              owner: 'intake-lead',
              dueAt: hoursAfter(4),
            }),
          }),
        ],
      },
    ]);
    expect(decided[1].data).toEqual({ workOrderId: 'wo-1', ...exception });
    expect(decided[1].metadata).toEqual(decided[0].metadata);
    // A retry is answered from the opening, as the first time.
    expect(answerOf(s.handled.get(decided[0].metadata.commandId)!, s)).toEqual(answer);
  });

  it('says what a failed prerequisite got by its type only (the handoff and the rationale show it; an input may carry a secret)', () =>
    given()
      .when(openWith({ orderId: '1', orderPaid: 'sk_live_123' }))
      .then(['WorkOrderOpened', 'WorkOrderExceptionRaised'], ([e]) => {
        if (e.type !== 'WorkOrderOpened') throw new Error('an opening');
        expect(e.data.prerequisites[1]).toEqual({
          name: 'orderPaid',
          ok: false,
          reason: 'orderPaid must be true, got a string',
        });
        expect(e.data.exceptions[0].rationale).toBe('orderPaid must be true, got a string');
      }));

  it('refuses a second open of the same work order', () => given(open).when(open).thenThrows('work_order_exists'));

  it('answers a retried command as the first time and records nothing', () => {
    const first = ctx({ meta: meta('same-command') });
    const once = decideWorkOrder(open, initialWorkOrderState(), first);
    expect(decideWorkOrder(open, stateAfter(once), first)).toEqual([]);
    expect(decideWorkOrder(open, initialWorkOrderState(), first)).toEqual(once);
  });

  it('refuses a code the catalog does not hold when a prerequisite fails', () =>
    given()
      .when(openWith({}), ctx({ catalog: new Map() }))
      .thenThrows('unknown_exception_code'));

  it('refuses commands on a work order that does not exist', () =>
    given().when({ type: 'CloseWorkOrder', closureEvidenceId: 'x', evidence: [] }).thenThrows('not_found'));
});
