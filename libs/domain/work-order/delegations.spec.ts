import { DelegationAnswer, DispatchDelegationDto, WorkOrderCommand } from '@workgate/contracts';
import { answerOf } from './answers';
import { given, NOW, open, stateAfter, work } from './work-order.fixtures';

const prompt = { objective: 'Fix the flaky retry test', scope: 'libs/messaging only', artifacts: [{ path: 'notes/retry.md', access: 'read' }], verification: ['npm test'], completion: 'stop and wait for the operator' };
const dispatch = (body: Partial<DispatchDelegationDto> = {}): WorkOrderCommand => ({ type: 'DispatchDelegation', body: { recipient: 'agent-x', command: 'delegate_task', prompt, ...body } });
const at = (ms: number) => new Date(Date.parse(NOW) + ms).toISOString();

describe('delegating a task', () => {
  it('records the dispatch on the work order and starts its delegation (owner: the workflow owner) in the same commit', () => {
    const opened = work.history(open);
    const decided = work.given(...opened).when(dispatch({ timeouts: { initialWait: 'PT1M', reminderEvery: 'PT1M', backoff: 1, hardTimeout: 'PT3M' } })).result();
    expect(decided.events.map((e) => e.type)).toEqual(['TaskDelegated']);
    const [delegated] = decided.events;
    const answer = answerOf(delegated, stateAfter([...opened, delegated])) as DelegationAnswer;
    expect(answer).toEqual({ dispatchId: expect.any(String), dispatchCreatedAt: NOW, reminders: [at(60_000), at(120_000)], timeoutAt: at(180_000) });
    expect(decided.starts).toEqual([
      {
        stream: 'delegation',
        id: answer.dispatchId,
        events: [{ type: 'DelegationDispatched', eventId: expect.any(String), data: expect.objectContaining({ dispatchId: answer.dispatchId, workOrderId: 'wo-1', recipient: 'agent-x', owner: 'support-lead', dispatchedBy: 'op-1', prompt }) }],
      },
    ]);
  });

  it('takes the contract from the workflow, each part overridden by the request, and refuses a malformed one', () => {
    given(open).when(dispatch()).then(['TaskDelegated'], ([e]) => expect(e.data).toMatchObject({ timeoutAt: at(4 * 3600_000), reminders: [at(30 * 60_000), at(45 * 60_000), at(75 * 60_000), at(135 * 60_000)] }));
    given(open).when(dispatch({ timeouts: { hardTimeout: 'soon' } })).thenThrows('validation_failed', { message: 'timeouts.hardTimeout must be an ISO 8601 duration' });
  });

  it('refuses an incomplete prompt and private planning paths, naming them', () => {
    given(open).when(dispatch({ prompt: { ...prompt, verification: [] } })).thenThrows('prompt_incomplete', { details: ['verification commands'] });
    given(open).when(dispatch({ prompt: { ...prompt, artifacts: [{ path: 'brain/plan.md', access: 'read' }] } })).thenThrows('private_path', { details: ['artifacts[0].path'] });
  });

  it('refuses a closed or stopped work order', () => {
    given(open, { type: 'ReportClosure', body: {} }).when(dispatch()).thenThrows('work_order_closed');
    given(open, { type: 'StopWorkOrder', body: { reason: 'x' } }).when(dispatch()).thenThrows('work_order_stopped');
  });
});
