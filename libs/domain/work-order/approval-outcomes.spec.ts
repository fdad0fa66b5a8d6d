import { approvalOutcomeOf } from './approval-outcomes';
import { appendedEventsOf } from './outcomes';
import { open, refund, stateAfter, work, andThen } from './work-order.fixtures';
import { WorkOrderCommand } from './commands';

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
    const resolved = andThen(waiting, { type: 'ApplyApprovalOutcome', approvalId, outcome: 'approved' });
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
    const conditionalUpdate = (openConditions: string[], approvalVersion: number): WorkOrderCommand => ({
      type: 'ApplyApprovalOutcome',
      approvalId,
      outcome: 'conditional',
      openConditions,
      approvalVersion,
    });
    const conditional = andThen(waiting, conditionalUpdate(['R-03', 'R-04'], 2));
    expect(stateAfter(conditional).approvals.get(approvalId)).toMatchObject({
      status: 'conditional',
      openConditions: ['R-03', 'R-04'],
    });
    work
      .given(...conditional)
      .when(conditionalUpdate(['R-04'], 3))
      .then(['ApprovalConditional']);
    work
      .given(...conditional)
      .when(conditionalUpdate(['R-03'], 1))
      .then([]);
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
