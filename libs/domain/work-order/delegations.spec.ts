import { startsOf } from './starts';
import { DispatchDelegationDto } from '@workgate/contracts';
import { WorkOrderCommand } from './commands';
import { answerOf } from './answers';
import { answerWith, given, NOW, open, stateAfter, work, workflow } from './work-order.fixtures';

const prompt = {
  objective: 'Fix the flaky retry test',
  scope: 'libs/messaging only',
  artifacts: [{ path: 'notes/retry.md', access: 'read' }],
  verification: ['npm test'],
  completion: 'stop and wait for the operator',
};
const dispatch = (body: Partial<DispatchDelegationDto> = {}): WorkOrderCommand => ({
  type: 'DispatchDelegation',
  recipient: 'agent-x',
  command: 'delegate_task',
  prompt,
  ...body,
});
const at = (ms: number) => new Date(Date.parse(NOW) + ms).toISOString();

describe('delegating a task', () => {
  it('records the dispatch on the work order and starts its delegation (owner: the workflow owner) in the same commit', () => {
    const opened = work.history(open);
    const decided = work
      .given(...opened)
      .when(dispatch({ timeouts: { initialWait: 'PT1M', reminderEvery: 'PT1M', backoff: 1, hardTimeout: 'PT3M' } }))
      .result();
    expect(decided.map((e) => e.type)).toEqual(['TaskDelegated']);
    const [delegated] = decided;
    const answer = answerWith(answerOf(delegated, stateAfter([...opened, delegated])), 'dispatchId');
    expect(answer).toEqual({
      dispatchId: expect.any(String),
      dispatchCreatedAt: NOW,
      reminders: [at(60_000), at(120_000)],
      timeoutAt: at(180_000),
    });
    expect(startsOf(decided, workflow)).toEqual([
      {
        stream: 'delegation',
        id: answer.dispatchId,
        events: [
          {
            type: 'DelegationDispatched',
            eventId: expect.any(String),
            data: expect.objectContaining({
              dispatchId: answer.dispatchId,
              workOrderId: 'wo-1',
              recipient: 'agent-x',
              owner: 'support-lead',
              dispatchedBy: 'op-1',
              prompt,
            }),
          },
        ],
      },
    ]);
  });

  it('takes the contract from the workflow, each part overridden by the request, and refuses a malformed one', () => {
    given(open)
      .when(dispatch())
      .then(['TaskDelegated'], ([e]) =>
        expect(e.data).toMatchObject({
          timeoutAt: at(4 * 3600_000),
          reminders: [at(30 * 60_000), at(45 * 60_000), at(75 * 60_000), at(135 * 60_000)],
        }),
      );
    given(open)
      .when(dispatch({ timeouts: { hardTimeout: 'soon' } }))
      .thenThrows('validation_failed', {
        message: 'timeouts.hardTimeout "soon" is not a positive ISO 8601 duration like PT48H',
      });
  });

  it('holds every timer to a one-second floor and a ten-year ceiling, and the back-off to 1..10', () => {
    given(open)
      .when(dispatch({ timeouts: { reminderEvery: 'PT0.001S' } }))
      .thenThrows('validation_failed', {
        details: [
          { path: 'timeouts.reminderEvery', message: 'must be at least PT1S (timers have a one-second floor)' },
        ],
      });
    given(open)
      .when(dispatch({ timeouts: { initialWait: 'PT0.5S' } }))
      .thenThrows('validation_failed', {
        details: [{ path: 'timeouts.initialWait', message: 'must be at least PT1S (timers have a one-second floor)' }],
      });
    given(open)
      .when(dispatch({ timeouts: { hardTimeout: 'P99999999W' } }))
      .thenThrows('validation_failed', {
        details: [{ path: 'timeouts.hardTimeout', message: 'must be at most P3650D' }],
      });
    given(open)
      .when(dispatch({ timeouts: { backoff: 1e9 } }))
      .thenThrows('validation_failed', { details: [{ path: 'timeouts.backoff', message: 'must be from 1 to 10' }] });
    given(open)
      .when(dispatch({ timeouts: { initialWait: 'PT1S', reminderEvery: 'PT1S', backoff: 1, hardTimeout: 'PT3S' } }))
      .then(['TaskDelegated'], ([e]) =>
        expect(e.data).toMatchObject({ reminders: [at(1000), at(2000)], timeoutAt: at(3000) }),
      );
  });

  it('refuses an incomplete prompt and private planning paths, naming them', () => {
    given(open)
      .when(dispatch({ prompt: { ...prompt, verification: [] } }))
      .thenThrows('prompt_incomplete', { details: ['verification commands'] });
    given(open)
      .when(dispatch({ prompt: { ...prompt, artifacts: [{ path: 'brain/plan.md', access: 'read' }] } }))
      .thenThrows('private_path', { details: ['artifacts[0].path'] });
  });

  it.each([
    'task.md/',
    'brain%2Fx',
    'brain%252Fx',
    'docs/../brain/plan.md',
    './brain',
    'a//b/./Task.MD',
    'BRAIN\\notes.md',
    'x/.private/key',
    'task.md.',
    'ｂrain/x',
  ])('refuses %s as a private planning path, read as the decoded, normalised path', (path) => {
    given(open)
      .when(
        dispatch({
          prompt: {
            ...prompt,
            artifacts: [
              { path: 'docs/ok.md', access: 'read' },
              { path, access: 'read' },
            ],
          },
        }),
      )
      .thenThrows('private_path', { details: ['artifacts[1].path'] });
  });

  it.each(['docs/brainstorm.md', 'mytask.md', 'src/brain.ts', 'task.md.bak/x'])(
    'shares %s: only the private locations themselves are refused',
    (path) => {
      given(open)
        .when(dispatch({ prompt: { ...prompt, artifacts: [{ path, access: 'read' }] } }))
        .then(['TaskDelegated']);
    },
  );

  it('refuses a closed or stopped work order', () => {
    given(open, { type: 'ReportClosure' }).when(dispatch()).thenThrows('work_order_closed');
    given(open, { type: 'StopWorkOrder', reason: 'x' }).when(dispatch()).thenThrows('work_order_stopped');
  });
});
