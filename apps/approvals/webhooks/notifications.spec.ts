import { NOTIFICATION_TYPES, RecordedEvent } from '@workgate/contracts';
import { NOTIFICATION_SOURCES, notificationOf } from './notifications';

const AT = '2026-11-25T12:00:00.000Z';
const CANARY = 'canary-3f9e-private';

let position = 0;
function recorded(streamId: string, type: string, data: Record<string, unknown>): RecordedEvent {
  position++;
  return {
    position,
    streamId,
    streamVersion: 1,
    eventId: `00000000-0000-4000-8000-${String(position).padStart(12, '0')}`,
    type,
    data,
    metadata: {},
    occurredAt: AT,
    recordedAt: AT,
    prevHash: '',
    hash: '',
  };
}

const requested = recorded('approval-a1', 'ApprovalRequested', {
  approvalId: 'a1',
  workOrderId: 'w1',
  actionId: 'x1',
  owner: 'ana',
  requestedBy: 'bot',
  requestedAt: AT,
  expiresAt: '2026-11-27T12:00:00.000Z',
  scopeHash: 'h',
});
/** One approver's decision on a1, with a note that must never leave the service. */
const approverDecided = recorded('approval-a1', 'ApprovalDecisionRecorded', {
  approvalId: 'a1',
  by: 'cy',
  decision: 'approve',
  at: AT,
  note: CANARY,
});
const raised = recorded('exception-e1', 'ExceptionRaised', {
  exceptionId: 'e1',
  workOrderId: 'w1',
  stepId: 's1',
  code: 'VENDOR_LATE',
  rationale: `the vendor said ${CANARY}`,
  owner: 'lead',
  dueAt: '2026-11-26T12:00:00.000Z',
  raisedBy: 'op',
  at: AT,
});
/** The exception's SLA breached. */
const slaBreached = () =>
  recorded('exception-e1', 'SlaBreached', { exceptionId: 'e1', code: 'VENDOR_LATE', owner: 'lead', dueAt: AT, at: AT });
/** The exception escalated to its code's escalateTo, past its SLA plus escalateAfter. */
const escalated = recorded('exception-e1', 'ExceptionEscalated', {
  exceptionId: 'e1',
  workOrderId: 'w1',
  stepId: 's1',
  code: 'VENDOR_LATE',
  owner: 'lead',
  escalatedTo: 'duty-manager',
  dueAt: AT,
  escalateAt: '2026-11-25T14:00:00.000Z',
  at: AT,
});
/** A delegation sent to its recipient, its prompt private. */
const dispatched = (reminders: string[]) =>
  recorded('delegation-d1', 'DelegationDispatched', {
    dispatchId: 'd1',
    dispatchCreatedAt: AT,
    workOrderId: 'w1',
    recipient: 'agent',
    owner: 'lead',
    dispatchedBy: 'op',
    command: 'execute',
    prompt: { objective: CANARY },
    reminders,
    timeoutAt: AT,
  });
/** An action stopped, with private facts and evidence beside it. */
const stopped = (action: Record<string, unknown>, decision: { reason: string; message: string; rule: string | null }) =>
  recorded('workorder-w1', 'ActionDecided', {
    actionId: 'x2',
    workOrderId: 'w1',
    action,
    facts: { note: CANARY },
    workOrder: { evidence: [{ kind: 'photo', ref: CANARY, private: true }] },
    decision: { decision: 'stop', ...decision, decisionOwner: 'lead' },
  });

describe('webhook notifications', () => {
  it('cover every notification type but approval.reminder, which no ledger event means yet', () => {
    const examples = [
      notificationOf(requested),
      notificationOf(
        recorded('approval-a1', 'ApprovalGranted', {
          approvalId: 'a1',
          decidedBy: 'ana',
          permittedAction: { system: 's', operation: 'o', kind: 'write' },
          at: AT,
        }),
        requested,
      ),
      notificationOf(recorded('approval-a1', 'ApprovalExpired', { approvalId: 'a1', at: AT }), requested),
      notificationOf(approverDecided, requested),
      notificationOf(
        recorded('postreview-p1', 'PostReviewCreated', {
          postReviewId: 'p1',
          workOrderId: 'w1',
          exceptionId: 'e1',
          reviewer: 'rev',
          dueAt: AT,
          at: AT,
        }),
      ),
      notificationOf(
        recorded('postreview-p1', 'PostReviewOverdue', { postReviewId: 'p1', reviewer: 'rev', dueAt: AT, at: AT }),
      ),
      notificationOf(raised),
      notificationOf(slaBreached(), raised),
      notificationOf(escalated),
      notificationOf(dispatched([AT])),
      notificationOf(
        recorded('delegation-d1', 'DelegationReminderDue', {
          dispatchId: 'd1',
          n: 0,
          dueAt: AT,
          notify: 'lead',
          recipient: 'agent',
          workOrderId: 'w1',
          nextDueAt: AT,
        }),
      ),
      notificationOf(
        recorded('delegation-d1', 'DelegationTimedOut', {
          dispatchId: 'd1',
          workOrderId: 'w1',
          at: AT,
          notify: 'lead',
          reason: 'hard timeout',
        }),
      ),
      notificationOf(
        stopped(
          { system: 'billing', operation: 'refund', kind: 'write' },
          { reason: 'write_not_allowed', message: 'billing writes are outside the lane', rule: null },
        ),
      ),
    ];
    const types = examples.map((n) => n?.type);
    expect(new Set(types)).toEqual(new Set(NOTIFICATION_TYPES.filter((t) => t !== 'approval.reminder')));
    expect(NOTIFICATION_SOURCES).toHaveLength(15);
  });

  it('say whom they are addressed to, and what the receiver needs: ids, owners, due times, a message', () => {
    expect(notificationOf(requested)).toEqual({
      type: 'approval.requested',
      to: ['ana'],
      payload: {
        type: 'approval.requested',
        timestamp: AT,
        data: {
          approvalId: 'a1',
          workOrderId: 'w1',
          actionId: 'x1',
          owner: 'ana',
          requestedBy: 'bot',
          expiresAt: '2026-11-27T12:00:00.000Z',
          message: expect.stringContaining('a1'),
        },
      },
    });
    const decided = notificationOf(
      recorded('approval-a1', 'ApprovalRejected', { approvalId: 'a1', decidedBy: 'ana', at: AT, note: CANARY }),
      requested,
    );
    expect(decided?.to).toEqual(['ana', 'bot']);
    expect(decided?.payload.data).toMatchObject({
      approvalId: 'a1',
      workOrderId: 'w1',
      decision: 'rejected',
      decidedBy: 'ana',
    });
    const breached = notificationOf(slaBreached(), raised);
    expect(breached?.payload.data).toMatchObject({ exceptionId: 'e1', workOrderId: 'w1', owner: 'lead', dueAt: AT });
    expect(notificationOf(escalated)).toMatchObject({
      type: 'exception.escalated',
      to: ['duty-manager'],
      payload: {
        data: {
          exceptionId: 'e1',
          workOrderId: 'w1',
          code: 'VENDOR_LATE',
          owner: 'lead',
          escalatedTo: 'duty-manager',
          dueAt: AT,
          escalateAt: '2026-11-25T14:00:00.000Z',
        },
      },
    });
  });

  it('never carry facts, inputs, evidence, prompts, notes or rationales', () => {
    const payloads = [
      notificationOf(raised),
      notificationOf(
        recorded('approval-a1', 'ApprovalRejected', { approvalId: 'a1', decidedBy: 'ana', at: AT, note: CANARY }),
        requested,
      ),
      notificationOf(dispatched([])),
      notificationOf(
        stopped(
          { system: 'billing', operation: 'refund', kind: 'write', objects: [CANARY] },
          { reason: 'rule_matched', message: 'refunds stop', rule: 'no-refunds' },
        ),
      ),
    ];
    for (const n of payloads) {
      expect(n).toBeDefined();
      expect(JSON.stringify(n)).not.toContain(CANARY);
    }
  });

  it('of decisions, only stops notify', () => {
    const run = recorded('workorder-w1', 'ActionDecided', {
      actionId: 'x3',
      workOrderId: 'w1',
      action: { system: 'helpdesk', operation: 'case.note', kind: 'write' },
      facts: {},
      workOrder: {},
      decision: { decision: 'run', reason: 'inside_boundary', message: 'ok', rule: null, decisionOwner: null },
    });
    expect(notificationOf(run)).toBeUndefined();
  });
});

describe('an approval of several approvers', () => {
  it('notifies each decision as approval.approver_decided, without its note', () => {
    const n = notificationOf(approverDecided, requested);
    expect(n?.type).toBe('approval.approver_decided');
    expect(n?.to).toEqual(['cy', 'ana', 'bot']);
    expect(n?.payload.data).toMatchObject({ approvalId: 'a1', decision: 'approve', decidedBy: 'cy' });
    expect(JSON.stringify(n)).not.toContain(CANARY);
  });
});
