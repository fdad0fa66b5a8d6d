import { RecordedEvent } from '@workgate/contracts';
import { deterministicUuid } from '../ids';
import { recordedOutcomeOf, workOrderOutcomesOf } from './outcomes';

describe("the work-order commands an approval's or an exception's append causes", () => {
  const resolved = (by?: string) => ({
    eventId: 'e2',
    type: 'ExceptionResolved',
    data: { exceptionId: 'x1', resolution: 'paid', evidence: [], ...(by ? { resolvedBy: by } : {}), at: 't' },
    occurredAt: 't',
  });

  it('an exception resolved closes it on its work order, under one id per exception, as its resolver', () => {
    expect(workOrderOutcomesOf({ streamId: 'exception-x1', expectedVersion: 1, events: [resolved('ops')] })).toEqual([
      {
        commandId: deterministicUuid('exception-resolved', 'x1'),
        actor: 'ops',
        channel: 'exceptions',
        command: { type: 'CloseException', exceptionId: 'x1', resolvedBy: 'ops' },
        occurredAt: 't',
      },
    ]);
    expect(workOrderOutcomesOf({ streamId: 'exception-x1', expectedVersion: 1, events: [resolved()] })).toEqual([
      expect.objectContaining({
        actor: 'exceptions',
        command: { type: 'CloseException', exceptionId: 'x1' },
      }),
    ]);
  });

  it('the other events of an exception cause nothing on the work order', () => {
    const added = {
      eventId: 'e2',
      type: 'RemediationAdded',
      data: {
        exceptionId: 'x1',
        task: { taskId: 't', title: 't', owner: 'o', due: 't', closed: false },
        addedBy: 'o',
        at: 't',
      },
    };
    const breached = {
      eventId: 'e3',
      type: 'SlaBreached',
      data: { exceptionId: 'x1', code: 'C', owner: 'o', dueAt: 't', at: 't' },
    };
    expect(workOrderOutcomesOf({ streamId: 'exception-x1', expectedVersion: 1, events: [added, breached] })).toEqual(
      [],
    );
  });

  it("an approval's append maps as the approval's outcomes do", () => {
    const granted = {
      eventId: 'e2',
      type: 'ApprovalGranted',
      data: {
        approvalId: 'a1',
        decidedBy: 'lead',
        permittedAction: { system: 's', operation: 'o', kind: 'write' },
        at: 't',
      },
    };
    expect(workOrderOutcomesOf({ streamId: 'approval-a1', expectedVersion: 1, events: [granted] })).toEqual([
      expect.objectContaining({
        commandId: deterministicUuid('approval-outcome', 'a1'),
        channel: 'approvals',
        command: expect.objectContaining({ type: 'ApplyApprovalOutcome' }),
      }),
    ]);
  });

  it('refuses any other stream, and an append at no known version', () => {
    expect(() => workOrderOutcomesOf({ streamId: 'workorder-w1', expectedVersion: 1, events: [] })).toThrow(
      expect.objectContaining({ code: 'validation_failed' }),
    );
    expect(() =>
      workOrderOutcomesOf({ streamId: 'exception-x1', expectedVersion: 'any', events: [resolved()] }),
    ).toThrow(expect.objectContaining({ code: 'validation_failed' }));
  });

  it('a recorded event maps to the same command as the same event appended: one outcome however it arrives', () => {
    const recorded: RecordedEvent = {
      ...resolved('ops'),
      streamId: 'exception-x1',
      streamVersion: 2,
      position: 9,
      metadata: {},
      recordedAt: 't',
      prevHash: '',
      hash: '',
    };
    expect(recordedOutcomeOf(recorded)).toEqual(
      workOrderOutcomesOf({ streamId: 'exception-x1', expectedVersion: 1, events: [resolved('ops')] })[0],
    );
    expect(recordedOutcomeOf({ ...recorded, streamId: 'postreview-p1' })).toBeUndefined();
  });
});
