import {
  ApprovalRequestedData,
  EventData,
  eventOf,
  EventType,
  ledgerEventSubject,
  NotificationType,
  RecordedEvent,
  StreamType,
  WebhookPayload,
} from '@workgate/contracts';

/** A notification for people, as a webhook receives it, and whom it is addressed to (an owner, reviewer or recipient). */
export interface Notification {
  type: NotificationType;
  to: string[];
  payload: WebhookPayload;
}

/** A ledger event that means a notification: its stream type, event type and LEDGER subject, and what it says. */
export interface NotificationSource {
  stream: StreamType;
  type: string;
  subject: string;
  /** The event alone lacks the work order or the owner: the stream's first event (the request, the raise) has them. */
  needsOrigin: boolean;
  notify(e: RecordedEvent, origin?: RecordedEvent): Notification | undefined;
}

function source<S extends StreamType, T extends EventType<S>>(
  stream: S,
  type: T,
  notify: (d: EventData<S, T>, at: string, origin?: RecordedEvent) => Notification | undefined,
  needsOrigin = false,
): NotificationSource {
  return {
    stream,
    type,
    subject: ledgerEventSubject(stream, type),
    needsOrigin,
    notify: (e, origin) => {
      const typed = eventOf(e, stream, type);
      return typed && notify(typed.data, e.occurredAt, origin);
    },
  };
}

const notification = (
  type: NotificationType,
  to: string[],
  at: string,
  data: WebhookPayload['data'],
): Notification => ({
  type,
  to: [...new Set(to)],
  payload: { type, timestamp: at, data },
});

/** The named fields of an event's data, as a payload carries them: by name, so nothing else of the event leaves. */
function fields<D extends object>(d: D, ...keys: Array<keyof D & string>): Record<string, unknown> {
  return Object.fromEntries(keys.map((k) => [k, d[k]]));
}

/** What an approval's request says of it: the work order, the action and who is involved. */
function requested(
  origin: RecordedEvent | undefined,
): Partial<Pick<ApprovalRequestedData, 'workOrderId' | 'actionId' | 'owner' | 'requestedBy' | 'expiresAt'>> {
  const r = origin && eventOf(origin, 'approval', 'ApprovalRequested')?.data;
  return r
    ? {
        workOrderId: r.workOrderId,
        actionId: r.actionId,
        owner: r.owner,
        requestedBy: r.requestedBy,
        expiresAt: r.expiresAt,
      }
    : {};
}

/** The owner's decision on an approval: who decided it, what, and who learns of it (the owner and the requester). */
const decided =
  (decision: 'approved' | 'conditional' | 'rejected') =>
  (d: { approvalId: string; decidedBy: string }, at: string, origin?: RecordedEvent): Notification => {
    const { expiresAt: _expiresAt, ...request } = requested(origin);
    return notification(
      'approval.decided',
      [d.decidedBy, ...[request.owner, request.requestedBy].filter((p): p is string => !!p)],
      at,
      {
        approvalId: d.approvalId,
        ...request,
        decision,
        decidedBy: d.decidedBy,
        message: `approval ${d.approvalId} was decided ${decision} by ${d.decidedBy}`,
      },
    );
  };

/**
 * The ledger events that mean a notification, and what each says. Payloads carry ids, owners, due
 * times and a message: never evidence, facts, inputs, prompts, notes or rationales (free text that
 * may hold what must stay private). `approval.reminder` has no source: approvals record no
 * reminder event (only their expiry), so no webhook of that type is sent.
 */
export const NOTIFICATION_SOURCES: NotificationSource[] = [
  source('approval', 'ApprovalRequested', (d, at) =>
    notification('approval.requested', d.from ? [d.owner, ...d.from] : (d.reviewers ?? [d.owner]), at, {
      ...fields(d, 'approvalId', 'workOrderId', 'actionId', 'owner', 'requestedBy'),
      ...(d.kind ? { kind: d.kind } : {}),
      expiresAt: d.expiresAt,
      message: `approval ${d.approvalId} waits for ${d.owner} (requested by ${d.requestedBy}) until ${d.expiresAt}`,
    }),
  ),
  // One approver's decision on an approval of several approvers; its outcome follows as `approval.decided`.
  source(
    'approval',
    'ApprovalDecisionRecorded',
    (d, at, origin) => {
      const { expiresAt: _expiresAt, ...request } = requested(origin);
      return notification(
        'approval.approver_decided',
        [d.by, ...[request.owner, request.requestedBy].filter((p): p is string => !!p)],
        at,
        {
          approvalId: d.approvalId,
          ...request,
          decision: d.decision,
          decidedBy: d.by,
          message: `${d.by} decided ${d.decision} on approval ${d.approvalId}`,
        },
      );
    },
    true,
  ),
  source('approval', 'ApprovalGranted', decided('approved'), true),
  source('approval', 'ApprovalConditioned', decided('conditional'), true),
  source('approval', 'ApprovalRejected', decided('rejected'), true),
  source(
    'approval',
    'ApprovalExpired',
    (d, at, origin) => {
      const request = requested(origin);
      return notification(
        'approval.expired',
        [request.owner, request.requestedBy].filter((p): p is string => !!p),
        at,
        {
          approvalId: d.approvalId,
          ...request,
          message: `approval ${d.approvalId} expired undecided`,
        },
      );
    },
    true,
  ),
  source('postreview', 'PostReviewCreated', (d, at) =>
    notification('post_review.due', [d.reviewer], at, {
      ...fields(d, 'postReviewId', 'workOrderId', 'exceptionId', 'reviewer', 'dueAt'),
      message: `post-review ${d.postReviewId} of a break-glass is due from ${d.reviewer} by ${d.dueAt}`,
    }),
  ),
  source('postreview', 'PostReviewOverdue', (d, at) =>
    notification('post_review.overdue', [d.reviewer], at, {
      ...fields(d, 'postReviewId', 'reviewer', 'dueAt'),
      message: `post-review ${d.postReviewId} was due at ${d.dueAt}`,
    }),
  ),
  source('exception', 'ExceptionRaised', (d, at) =>
    notification('exception.raised', [d.owner], at, {
      ...fields(d, 'exceptionId', 'workOrderId', 'stepId', 'code', 'owner', 'dueAt', 'raisedBy'),
      message: `exception ${d.code} raised for ${d.owner}, due by ${d.dueAt}`,
    }),
  ),
  source(
    'exception',
    'SlaBreached',
    (d, at, origin) => {
      const raised = origin && eventOf(origin, 'exception', 'ExceptionRaised')?.data;
      return notification('exception.sla_breached', [d.owner], at, {
        exceptionId: d.exceptionId,
        ...(raised ? { workOrderId: raised.workOrderId, stepId: raised.stepId } : {}),
        ...fields(d, 'code', 'owner', 'dueAt'),
        message: `exception ${d.code} of ${d.owner} passed its SLA (due ${d.dueAt})`,
      });
    },
    true,
  ),
  source('exception', 'ExceptionEscalated', (d, at) =>
    notification('exception.escalated', [d.escalatedTo], at, {
      ...fields(d, 'exceptionId', 'workOrderId', 'stepId', 'code', 'owner', 'escalatedTo', 'dueAt', 'escalateAt'),
      message: `exception ${d.code} of ${d.owner} is still open past its SLA (due ${d.dueAt}): escalated to ${d.escalatedTo}`,
    }),
  ),
  source('delegation', 'DelegationDispatched', (d, at) =>
    notification('delegation.dispatched', [d.recipient, d.owner], at, {
      ...fields(
        d,
        'dispatchId',
        'workOrderId',
        'recipient',
        'owner',
        'dispatchedBy',
        'command',
        'dispatchCreatedAt',
        'reminders',
        'timeoutAt',
      ),
      message: `${d.command} ${d.dispatchId} dispatched to ${d.recipient}; completion must be confirmed by ${d.timeoutAt}`,
    }),
  ),
  source('delegation', 'DelegationReminderDue', (d, at) =>
    notification('delegation.reminder', [d.notify], at, {
      ...fields(d, 'dispatchId', 'workOrderId', 'recipient'),
      owner: d.notify,
      reminder: d.n + 1,
      ...fields(d, 'dueAt', 'nextDueAt'),
      message: `delegation ${d.dispatchId} to ${d.recipient}: completion not confirmed yet (reminder ${d.n + 1})`,
    }),
  ),
  source('delegation', 'DelegationTimedOut', (d, at) =>
    notification('delegation.timed_out', [d.notify], at, {
      ...fields(d, 'dispatchId', 'workOrderId'),
      owner: d.notify,
      reason: d.reason,
      message: `${d.reason}: remote completion was not confirmed; the work order is stopped`,
    }),
  ),
  // Of the decisions, only stops notify.
  source('workorder', 'ActionDecided', (d, at) => {
    if (d.decision.decision !== 'stop') return undefined;
    const owner = d.decision.decisionOwner;
    return notification('decision.stopped', owner ? [owner] : [], at, {
      ...fields(d, 'workOrderId', 'actionId'),
      action: fields(d.action, 'system', 'operation', 'kind'),
      reason: d.decision.reason,
      rule: d.decision.rule,
      decisionOwner: owner,
      message: `${d.action.system} ${d.action.operation} (${d.action.kind}) was stopped: ${d.decision.message}`,
    });
  }),
];

/** The notification a ledger event means, if any, with `origin` the first event of its stream where its source needs it. */
export function notificationOf(e: RecordedEvent, origin?: RecordedEvent): Notification | undefined {
  for (const s of NOTIFICATION_SOURCES) {
    const n = s.notify(e, origin);
    if (n) return n;
  }
  return undefined;
}
