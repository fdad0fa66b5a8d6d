import { startsOf } from './starts';
import { WorkOrderCommand } from './commands';
import { eventOfType, given, hoursAfter, open, work, workflow } from './work-order.fixtures';

const complete = (stepId: string, evidence = [{ kind: 'receipt', ref: 'r-1' }]): WorkOrderCommand => ({
  type: 'CompleteStep',
  stepId,
  evidence,
});
const block = (code: string, stepId = 'inspect'): WorkOrderCommand => ({
  type: 'BlockStep',
  stepId,
  code,
  rationale: 'no answer',
});

describe('steps', () => {
  it('completes a step with its required evidence', () =>
    given(open).when(complete('update-order')).then(['StepCompleted']));

  it('refuses a step without its required evidence, naming the kinds', () =>
    given(open)
      .when(complete('update-order', []))
      .thenThrows('step_evidence_required', { details: [{ kind: 'receipt' }] }));

  it('refuses completing a step twice and an unknown step', () => {
    given(open, complete('inspect', [])).when(complete('inspect', [])).thenThrows('step_already_completed');
    given(open).when(complete('nope', [])).thenThrows('unknown_step');
  });

  it('blocks a step with a catalog code allowed here: owner and SLA from the catalog, the exception started in the same commit', () => {
    const decided = work
      .given(...work.history(open))
      .when(block('CUSTOMER_UNREACHABLE'))
      .result();
    expect(decided.map((e) => e.type)).toEqual(['StepBlocked']);
    expect(decided[0].data).toMatchObject({
      code: 'CUSTOMER_UNREACHABLE',
      owner: 'support-lead',
      dueAt: hoursAfter(24),
      stepId: 'inspect',
    });
    const { exceptionId } = eventOfType(decided[0], 'StepBlocked').data;
    expect(startsOf(decided, workflow)).toEqual([
      {
        stream: 'exception',
        id: exceptionId,
        events: [
          expect.objectContaining({
            type: 'ExceptionRaised',
            data: expect.objectContaining({ stepId: 'inspect', owner: 'support-lead' }),
          }),
        ],
      },
    ]);
    given(open)
      .when(block('CUSTOMER_UNREACHABLE'))
      .then(['StepBlocked'], (_, s) => expect(s.status).toBe('blocked'));
  });

  it.each([['FREE_TEXT'], ['SAFETY_HOLD']])(
    'refuses exception code %s (outside the catalog or the workflow subset)',
    (code) => given(open).when(block(code)).thenThrows('unknown_exception_code'),
  );
});
