import { Clock } from '../aggregate';
import { specify } from '../spec-support';
import {
  checkPrompt,
  DelegationCommand,
  DelegationEvent,
  delegations,
  DelegationState,
  nextDue,
  reminderTimes,
  TimeoutContract,
} from './delegation.decider';
import { prompt } from './delegation.fixtures';

const T0 = '2026-11-22T10:00:00.000Z';
const at = (ms: number) => new Date(Date.parse(T0) + ms).toISOString();
const contract: TimeoutContract = { initialWaitMs: 2000, reminderEveryMs: 2000, backoff: 1, hardTimeoutMs: 6000 };
const dispatch: DelegationCommand = {
  type: 'Dispatch',
  dispatchId: 'd-1',
  workOrderId: 'wo-1',
  recipient: 'agent-x',
  owner: 'agent-ops-lead',
  by: 'op-1',
  command: 'delegate_task',
  prompt,
  timeouts: contract,
};

const spec = specify(delegations, () => ({ now: T0 }));

/** The events of the commands, each decided at its time, and the state they leave. */
function run(commands: Array<[DelegationCommand, string]>): { state: DelegationState; events: DelegationEvent[] } {
  const events = spec.historyAt(...commands.map(([c, now]): [DelegationCommand, Clock] => [c, { now }]));
  return { state: spec.given(...events).state, events };
}

describe('delegation decider', () => {
  it('dispatches with its id, created-at and the reminder schedule', () => {
    const { state, events } = run([[dispatch, T0]]);
    expect(events[0]).toMatchObject({
      type: 'DelegationDispatched',
      data: { dispatchId: 'd-1', dispatchCreatedAt: T0, reminders: [at(2000), at(4000)], timeoutAt: at(6000) },
    });
    expect(nextDue(state)).toBe(at(2000));
  });

  it('lists every missing prompt part at once', () => {
    expect(checkPrompt({ objective: ' ', artifacts: [], verification: [] }).missing).toEqual([
      'objective',
      'scope',
      'artifacts (each with a path and access read or write)',
      'verification commands',
      'completion protocol',
    ]);
    spec
      .given()
      .when({ ...dispatch, prompt: { ...prompt, completion: '' } })
      .thenThrows('prompt_incomplete', { details: ['completion protocol'] });
  });

  it.each(['brain/plan.md', 'work/brain/notes.txt', 'task.md', 'docs/task.md'])(
    'refuses the private planning path %s',
    (path) => {
      spec
        .given()
        .when({ ...dispatch, prompt: { ...prompt, artifacts: [{ path, access: 'read' }] } })
        .thenThrows('private_path', { details: ['artifacts[0].path'] });
    },
  );

  it('reminds on the contract, then times out naming the dispatch, each exactly once', () => {
    const { events, state } = run([
      [dispatch, T0],
      [{ type: 'Tick' }, at(1000)],
      [{ type: 'Tick' }, at(2000)],
      [{ type: 'Tick' }, at(2500)],
      [{ type: 'Tick' }, at(4100)],
      [{ type: 'Tick' }, at(6000)],
      [{ type: 'Tick' }, at(9000)],
    ]);
    expect(events.map((e) => e.type)).toEqual([
      'DelegationDispatched',
      'DelegationReminderDue',
      'DelegationReminderDue',
      'DelegationTimedOut',
    ]);
    expect(events[3]).toMatchObject({
      data: { reason: 'delegation d-1 timed out', notify: 'agent-ops-lead', workOrderId: 'wo-1' },
    });
    expect(state.status).toBe('timed_out');
  });

  it('fires everything overdue at once after a long pause (a restart), with the same event ids', () => {
    const late = run([
      [dispatch, T0],
      [{ type: 'Tick' }, at(60_000)],
    ]).events;
    const onTime = run([
      [dispatch, T0],
      [{ type: 'Tick' }, at(2000)],
      [{ type: 'Tick' }, at(4000)],
      [{ type: 'Tick' }, at(6000)],
    ]).events;
    expect(late.map((e) => e.eventId)).toEqual(onTime.map((e) => e.eventId));
  });

  it('backs off: each interval grows by the factor', () => {
    expect(
      reminderTimes(T0, {
        initialWaitMs: 30 * 60_000,
        reminderEveryMs: 15 * 60_000,
        backoff: 2,
        hardTimeoutMs: 4 * 3600_000,
      }),
    ).toEqual([at(30 * 60_000), at(45 * 60_000), at(75 * 60_000), at(135 * 60_000)]);
  });

  it('completes only by an operator: the delegate cannot confirm itself, and no timeout fires after', () => {
    expect(() =>
      run([
        [dispatch, T0],
        [{ type: 'Confirm', by: 'agent-x' }, at(1000)],
      ]),
    ).toThrow(expect.objectContaining({ code: 'delegate_cannot_confirm' }));
    const { events, state } = run([
      [dispatch, T0],
      [{ type: 'Confirm', by: 'op-1' }, at(1000)],
      [{ type: 'Tick' }, at(10_000)],
    ]);
    expect(events.map((e) => e.type)).toEqual(['DelegationDispatched', 'DelegationConfirmed']);
    expect(state.status).toBe('confirmed');
    expect(nextDue(state)).toBeNull();
  });

  it('refuses confirming after the timeout', () => {
    expect(() =>
      run([
        [dispatch, T0],
        [{ type: 'Tick' }, at(7000)],
        [{ type: 'Confirm', by: 'op-1' }, at(8000)],
      ]),
    ).toThrow(expect.objectContaining({ code: 'delegation_timed_out' }));
  });
});
