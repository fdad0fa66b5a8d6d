import { ApprovalRequestedData, eventOf, EventType, ExceptionRaisedData, ledgerEventSubject, NotificationType, RecordedEvent, StreamType, WebhookPayload } from '@workgate/contracts';

/** A notification for people, as a webhook receives it, and whom it is addressed to (an owner, reviewer or recipient). */
export interface Notification {
  type: NotificationType;
  to: string[];
  payload: WebhookPayload;
}

/** A ledger event that means a notification: its stream type, event type and LEDGER subject, and whether its stream's first event is needed to say it. */
export interface NotificationSource {
  stream: StreamType;
  type: string;
  subject: string;
  /** The event alone lacks the work order or the owner: the stream's first event (the request, the raise) has them. */
  needsOrigin: boolean;
}

function source<S extends StreamType>(stream: S, type: EventType<S>, needsOrigin = false): NotificationSource {
  return { stream, type, subject: ledgerEventSubject(stream, type), needsOrigin };
}

/**
 * The ledger events that mean a notification. `approval.reminder` has none: approvals record no
 * reminder event (only their expiry), so no webhook of that type is sent.
 */
export const NOTIFICATION_SOURCES: NotificationSource[] = [
  source('approval', 'ApprovalRequested'),
  source('approval', 'ApprovalGranted', true),
  source('approval', 'ApprovalConditioned', true),
  source('approval', 'ApprovalRejected', true),
  source('approval', 'ApprovalExpired', true),
  source('postreview', 'PostReviewCreated'),
  source('postreview', 'PostReviewOverdue'),
  source('exception', 'ExceptionRaised'),
  source('exception', 'SlaBreached', true),
  source('delegation', 'DelegationDispatched'),
  source('delegation', 'DelegationReminderDue'),
  source('delegation', 'DelegationTimedOut'),
  source('workorder', 'ActionDecided'),
];

const notification = (type: NotificationType, to: string[], at: string, data: WebhookPayload['data']): Notification => ({
  type,
  to: [...new Set(to)],
  payload: { type, timestamp: at, data },
});

/**
 * The notification a ledger event means, if any, with `origin` the first event of its stream where
 * the source needs it. Payloads carry ids, owners, due times and a message: never evidence, facts,
 * inputs, prompts, notes or rationales (free text that may hold what must stay private).
 */
export function notificationOf(e: RecordedEvent, origin?: RecordedEvent): Notification | undefined {
  const request = origin && eventOf(origin, 'approval', 'ApprovalRequested')?.data;
  const raised = origin && eventOf(origin, 'exception', 'ExceptionRaised')?.data;
  const approval = (r: ApprovalRequestedData | undefined) => (r ? { workOrderId: r.workOrderId, actionId: r.actionId, owner: r.owner, requestedBy: r.requestedBy } : {});
  const exception = (r: ExceptionRaisedData | undefined) => (r ? { workOrderId: r.workOrderId, stepId: r.stepId } : {});
  const at = e.occurredAt;

  let typed;
  if ((typed = eventOf(e, 'approval', 'ApprovalRequested'))) {
    const d = typed.data;
    return notification('approval.requested', [d.owner], at, {
      approvalId: d.approvalId,
      ...approval(d),
      ...(d.kind ? { kind: d.kind } : {}),
      expiresAt: d.expiresAt,
      message: `approval ${d.approvalId} waits for ${d.owner} (requested by ${d.requestedBy}) until ${d.expiresAt}`,
    });
  }
  for (const [type, decision] of [
    ['ApprovalGranted', 'approved'],
    ['ApprovalConditioned', 'conditional'],
    ['ApprovalRejected', 'rejected'],
  ] as const) {
    if ((typed = eventOf(e, 'approval', type))) {
      const d = typed.data;
      return notification('approval.decided', [d.decidedBy, ...(request ? [request.owner, request.requestedBy] : [])], at, {
        approvalId: d.approvalId,
        ...approval(request),
        decision,
        decidedBy: d.decidedBy,
        message: `approval ${d.approvalId} was decided ${decision} by ${d.decidedBy}`,
      });
    }
  }
  if ((typed = eventOf(e, 'approval', 'ApprovalExpired'))) {
    const d = typed.data;
    return notification('approval.expired', request ? [request.owner, request.requestedBy] : [], at, {
      approvalId: d.approvalId,
      ...approval(request),
      ...(request ? { expiresAt: request.expiresAt } : {}),
      message: `approval ${d.approvalId} expired undecided`,
    });
  }
  if ((typed = eventOf(e, 'postreview', 'PostReviewCreated'))) {
    const d = typed.data;
    return notification('post_review.due', [d.reviewer], at, {
      postReviewId: d.postReviewId,
      workOrderId: d.workOrderId,
      exceptionId: d.exceptionId,
      reviewer: d.reviewer,
      dueAt: d.dueAt,
      message: `post-review ${d.postReviewId} of a break-glass is due from ${d.reviewer} by ${d.dueAt}`,
    });
  }
  if ((typed = eventOf(e, 'postreview', 'PostReviewOverdue'))) {
    const d = typed.data;
    return notification('post_review.overdue', [d.reviewer], at, {
      postReviewId: d.postReviewId,
      reviewer: d.reviewer,
      dueAt: d.dueAt,
      message: `post-review ${d.postReviewId} was due at ${d.dueAt}`,
    });
  }
  if ((typed = eventOf(e, 'exception', 'ExceptionRaised'))) {
    const d = typed.data;
    return notification('exception.raised', [d.owner], at, {
      exceptionId: d.exceptionId,
      ...exception(d),
      code: d.code,
      owner: d.owner,
      dueAt: d.dueAt,
      raisedBy: d.raisedBy,
      message: `exception ${d.code} raised for ${d.owner}, due by ${d.dueAt}`,
    });
  }
  if ((typed = eventOf(e, 'exception', 'SlaBreached'))) {
    const d = typed.data;
    return notification('exception.sla_breached', [d.owner], at, {
      exceptionId: d.exceptionId,
      ...exception(raised),
      code: d.code,
      owner: d.owner,
      dueAt: d.dueAt,
      message: `exception ${d.code} of ${d.owner} passed its SLA (due ${d.dueAt})`,
    });
  }
  if ((typed = eventOf(e, 'delegation', 'DelegationDispatched'))) {
    const d = typed.data;
    return notification('delegation.dispatched', [d.recipient, d.owner], at, {
      dispatchId: d.dispatchId,
      workOrderId: d.workOrderId,
      recipient: d.recipient,
      owner: d.owner,
      dispatchedBy: d.dispatchedBy,
      command: d.command,
      dispatchCreatedAt: d.dispatchCreatedAt,
      reminders: d.reminders,
      timeoutAt: d.timeoutAt,
      message: `${d.command} ${d.dispatchId} dispatched to ${d.recipient}; completion must be confirmed by ${d.timeoutAt}`,
    });
  }
  if ((typed = eventOf(e, 'delegation', 'DelegationReminderDue'))) {
    const d = typed.data;
    return notification('delegation.reminder', [d.notify], at, {
      dispatchId: d.dispatchId,
      workOrderId: d.workOrderId,
      recipient: d.recipient,
      owner: d.notify,
      reminder: d.n + 1,
      dueAt: d.dueAt,
      nextDueAt: d.nextDueAt,
      message: `delegation ${d.dispatchId} to ${d.recipient}: completion not confirmed yet (reminder ${d.n + 1})`,
    });
  }
  if ((typed = eventOf(e, 'delegation', 'DelegationTimedOut'))) {
    const d = typed.data;
    return notification('delegation.timed_out', [d.notify], at, {
      dispatchId: d.dispatchId,
      workOrderId: d.workOrderId,
      owner: d.notify,
      reason: d.reason,
      message: `${d.reason}: remote completion was not confirmed; the work order is stopped`,
    });
  }
  if ((typed = eventOf(e, 'workorder', 'ActionDecided')) && typed.data.decision.decision === 'stop') {
    const d = typed.data;
    const owner = d.decision.decisionOwner;
    return notification('decision.stopped', owner ? [owner] : [], at, {
      workOrderId: d.workOrderId,
      actionId: d.actionId,
      action: { system: d.action.system, operation: d.action.operation, kind: d.action.kind },
      reason: d.decision.reason,
      rule: d.decision.rule,
      decisionOwner: owner,
      message: `${d.action.system} ${d.action.operation} (${d.action.kind}) was stopped: ${d.decision.message}`,
    });
  }
  return undefined;
}
