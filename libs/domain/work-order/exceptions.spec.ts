import { startsOf } from './starts';
import { WorkOrderCommand } from './commands';
import { compileWorkflow } from '@workgate/workflow';
import { answerOf } from './answers';
import {
  answerWith,
  ctx,
  definition,
  existing,
  given,
  hoursAfter,
  open,
  orderNote,
  stateAfter,
  work,
  andThen,
} from './work-order.fixtures';

const breakGlassWorkflow = compileWorkflow({
  ...definition,
  breakGlass: { allowed: true, postReviewDue: 'PT48H', reviewer: 'support-lead' },
});
const breakGlass = (code = 'CUSTOMER_UNREACHABLE', rationale = 'urgent'): WorkOrderCommand => ({
  type: 'UseBreakGlass',
  code,
  rationale,
  action: { system: 'shop', operation: 'order.note', kind: 'write' },
});
const onBreakGlassWorkflow = () => ctx({ workflow: breakGlassWorkflow });

describe('break-glass', () => {
  it('runs the action at once under an exception (owner, SLA) with a post-review due; both start in the same commit', () => {
    const opened = work.historyAt([open, onBreakGlassWorkflow()]);
    const decided = work
      .given(...opened)
      .when(breakGlass(), onBreakGlassWorkflow())
      .result();
    expect(decided.map((e) => e.type)).toEqual(['BreakGlassUsed']);
    const [used] = decided;
    const s = stateAfter([...opened, used]);
    expect(used.data).toMatchObject({
      code: 'CUSTOMER_UNREACHABLE',
      owner: 'support-lead',
      reviewer: 'support-lead',
      postReviewDueAt: hoursAfter(48),
    });
    const answer = answerWith(answerOf(used, s), 'postReview');
    expect(answer).toMatchObject({
      decision: 'run',
      reason: 'break_glass',
      postReview: { owner: 'support-lead', dueAt: hoursAfter(48) },
    });
    expect(s.status).toBe('blocked');
    expect(startsOf(decided, breakGlassWorkflow).map((x) => [x.stream, x.id, x.events.map((e) => e.type)])).toEqual([
      ['exception', answer.exception.exceptionId, ['ExceptionRaised']],
      ['postreview', answer.postReview.id, ['PostReviewCreated']],
    ]);
    expect(startsOf(decided, breakGlassWorkflow)[1].events[0].data).toMatchObject({
      exceptionId: answer.exception.exceptionId,
      reviewer: 'support-lead',
      dueAt: hoursAfter(48),
      workOrderId: 'wo-1',
    });
  });

  it('is refused where the workflow does not allow it', () =>
    given(open).when(breakGlass()).thenThrows('break_glass_not_allowed'));

  it('needs a code the workflow allows, and a rationale', () => {
    const opened = work.historyAt([open, onBreakGlassWorkflow()]);
    work
      .given(...opened)
      .when(breakGlass('SAFETY_HOLD'), onBreakGlassWorkflow())
      .thenThrows('unknown_exception_code');
    work
      .given(...opened)
      .when(breakGlass('CUSTOMER_UNREACHABLE', ' '), onBreakGlassWorkflow())
      .thenThrows('validation_failed');
  });
});

describe('exceptions resolved in their own stream', () => {
  it('closes the exception on the work order once, and unblocks it', () => {
    const blocked = work.history(open, {
      type: 'BlockStep',
      stepId: 'inspect',
      code: 'CUSTOMER_UNREACHABLE',
      rationale: 'x',
    });
    const [exceptionId] = stateAfter(blocked).exceptions.keys();
    work
      .given(...blocked)
      .when({ type: 'CloseException', exceptionId, resolvedBy: 'op-1' })
      .then(['WorkOrderExceptionClosed'], (_, s) => {
        expect(s.status).toBe('open');
        expect(existing(s).exceptions.get(exceptionId)?.open).toBe(false);
      });
    const closed = andThen(blocked, { type: 'CloseException', exceptionId });
    work
      .given(...closed)
      .when({ type: 'CloseException', exceptionId })
      .then([]);
    work
      .given(...blocked)
      .when({ type: 'CloseException', exceptionId: 'nope' })
      .thenThrows('not_found');
  });
});

describe('stopping', () => {
  it('stops with the reason; work is refused until it is reopened', () => {
    const stopped = given(open, { type: 'StopWorkOrder', reason: 'delegation d-1 timed out', ref: 'd-1' });
    expect(stopped.state).toMatchObject({ status: 'stopped', stopReason: 'delegation d-1 timed out' });
    stopped.when(orderNote).thenThrows('work_order_stopped', {
      message: 'work order wo-1 is stopped: delegation d-1 timed out; reopen it first',
    });
    stopped
      .when({ type: 'BlockStep', stepId: 'inspect', code: 'CUSTOMER_UNREACHABLE', rationale: 'x' })
      .thenThrows('work_order_stopped');
    stopped.when({ type: 'StopWorkOrder', reason: 'again' }).then([]);
    stopped
      .when({ type: 'ReopenWorkOrder', reason: 'the delegate finished after all' })
      .then(['WorkOrderReopened'], (_, s) => expect(s.status).toBe('open'));
  });
});
