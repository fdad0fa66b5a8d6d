import { AppendRequest, ExceptionRef } from '@workgate/contracts';
import { CompiledWorkflow } from '@workgate/workflow';
import { approvals, decideApproval, initialApprovalState } from '../approval/approval.decider';
import { delegations } from '../delegation/delegation.decider';
import { decideException, exceptions, initialExceptionState } from '../exception/exception.decider';
import { decidePostReview, initialPostReviewState, postReviews } from '../exception/post-review.decider';
import { appendOf } from '../aggregate';
import { deterministicUuid } from '../ids';
import type { Started } from './context';
import type { WorkOrderEvent } from './work-order.state';

const at = (time: string, ms: number) => new Date(Date.parse(time) + ms).toISOString();

/**
 * The service that decides, and alone writes, each kind of stream a work-order event starts
 * (docs/ledger.md, Who writes which stream): named as `producer` on every event of the stream.
 */
export const STREAM_OWNERS = {
  approval: 'approvals',
  postreview: 'approvals',
  delegation: 'approvals',
  exception: 'exceptions',
} as const;

/** A service that starts streams for work-order events. */
export type StreamOwner = (typeof STREAM_OWNERS)[Started['stream']];

/**
 * The services whose streams a recorded work-order event starts, known from the event alone
 * (nothing is decided): intake asks each of them to start theirs once the event is committed.
 */
export function ownersOf(e: WorkOrderEvent): StreamOwner[] {
  switch (e.type) {
    // An opening's exceptions are each recorded beside it (WorkOrderExceptionRaised), which is asked for.
    case 'WorkOrderOpened':
      return [];
    case 'StepBlocked':
    case 'WorkOrderExceptionRaised':
      return ['exceptions'];
    case 'BreakGlassUsed':
      return ['exceptions', 'approvals'];
    case 'GateRequested':
    case 'TaskDelegated':
      return ['approvals'];
    default:
      return [];
  }
}

/**
 * The streams a recorded work-order event starts, with their first events: an exception for each
 * exception it records, a post-review for a break-glass, an approval for a gate request, a
 * delegation for a delegated task. Each is started by its owner (STREAM_OWNERS), asked by intake
 * once the event is committed or, when that ask fails, from its own ledger reaction to the event:
 * with the very same event ids either way. `workflow` is the version the work order runs on (its
 * approval timeout applies).
 */
export function startedBy(e: WorkOrderEvent, workflow: Pick<CompiledWorkflow, 'approvalTimeoutMs'>): Started[] {
  const by = e.metadata.actor;
  const now = e.occurredAt;
  const raised = (workOrderId: string, exception: ExceptionRef): Started => ({
    stream: 'exception',
    id: exception.exceptionId,
    events: decideException({ type: 'RaiseException', exception, workOrderId, by }, initialExceptionState(), { now }),
  });
  switch (e.type) {
    // The exceptions an opening lists; this version records each beside it too, which starts the
    // same stream with the same events: an opening is read for them only where an earlier version
    // recorded it alone.
    case 'WorkOrderOpened':
      return e.data.exceptions.map((x) => raised(e.data.workOrderId, x));
    case 'StepBlocked':
    case 'WorkOrderExceptionRaised': {
      const { workOrderId, ...x } = e.data;
      return [raised(workOrderId, x)];
    }
    case 'BreakGlassUsed': {
      const {
        workOrderId,
        exceptionId,
        code,
        owner,
        dueAt,
        stepId,
        rationale,
        postReviewId,
        reviewer,
        postReviewDueAt,
      } = e.data;
      const review = decidePostReview(
        { type: 'CreatePostReview', postReviewId, workOrderId, exceptionId, reviewer, dueAt: postReviewDueAt },
        initialPostReviewState(),
        { now },
      );
      return [
        raised(workOrderId, { exceptionId, code, owner, dueAt, stepId, rationale }),
        { stream: 'postreview', id: postReviewId, events: review },
      ];
    }
    case 'GateRequested': {
      const { approvalId, workOrderId, owner, action, kind, source, approvals } = e.data;
      // The waiting action asks for the approval; a gate of the work order is asked for by its request.
      const request = {
        type: 'RequestApproval' as const,
        approvalId,
        workOrderId,
        actionId: source.actionId ?? e.eventId,
        owner,
        requestedBy: by,
        action,
        kind,
        expiresAt: at(now, workflow.approvalTimeoutMs),
        ...(approvals ? { required: approvals.required, from: approvals.from } : {}),
      };
      return [{ stream: 'approval', id: approvalId, events: decideApproval(request, initialApprovalState(), { now }) }];
    }
    case 'TaskDelegated':
      return [
        {
          stream: 'delegation',
          id: e.data.dispatchId,
          events: [
            {
              type: 'DelegationDispatched',
              eventId: deterministicUuid('delegation', e.data.dispatchId, 'dispatched'),
              data: e.data,
            },
          ],
        },
      ];
    default:
      return [];
  }
}

/** The streams these events start: those their owners are asked to start once the events are committed. */
export function startsOf(events: WorkOrderEvent[], workflow: Pick<CompiledWorkflow, 'approvalTimeoutMs'>): Started[] {
  return events.filter((e) => ownersOf(e).length > 0).flatMap((e) => startedBy(e, workflow));
}

/** The appends with which `owner` starts the streams of the event `e` it owns, each with the cause's metadata and time. */
export function startAppendsOwnedBy(
  owner: StreamOwner,
  e: WorkOrderEvent,
  workflow: Pick<CompiledWorkflow, 'approvalTimeoutMs'>,
): AppendRequest[] {
  return startedBy(e, workflow)
    .filter((s) => STREAM_OWNERS[s.stream] === owner)
    .map((s) => startAppend(s, e.metadata, e.occurredAt));
}

const AGGREGATES = {
  approval: approvals,
  exception: exceptions,
  postreview: postReviews,
  delegation: delegations,
} as const;

/**
 * A started stream as the append that starts it: expected not to exist, each event under its fixed
 * or derived id, with the cause's metadata and its owner named as `producer`.
 */
export function startAppend(started: Started, metadata: object, occurredAt: string): AppendRequest {
  const recorded = { metadata: { ...metadata, producer: STREAM_OWNERS[started.stream] }, occurredAt };
  return appendOf(AGGREGATES[started.stream], started.id, 0, started.events, recorded);
}
