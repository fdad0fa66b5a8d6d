import type * as C from '../approvals';
import {
  array,
  bool,
  component,
  described,
  documents,
  int,
  nullable,
  object,
  oneOf,
  str,
  strings,
  time,
} from './json-schema';
import { approvalStatus, conditions, permittedAction } from './shapes';
import { WorkflowChangeRef } from './workflow-change.schemas';

/** What the approvals service answers: approvals, exceptions, post-reviews, delegations and the inbox. */
export const ApprovalView = component(
  'ApprovalView',
  documents<C.ApprovalView>()(
    object(
      {
        approvalId: str,
        actionId: str,
        owner: str,
        requestedBy: str,
        requestedAt: time,
        expiresAt: time,
        status: approvalStatus,
      },
      {
        workOrderId: described(str, 'absent on a `workflow-change` approval: it belongs to its job type'),
        change: described(WorkflowChangeRef.ref, 'a `workflow-change` approval: the version proposed and its diff'),
        reviewers: described(strings, 'a `workflow-change` approval its owner asked for: who decides it instead'),
        kind: str,
        requestedAction: permittedAction,
        decidedBy: str,
        permittedAction,
        conditions,
      },
    ),
  ),
);

export const ExceptionView = component(
  'ExceptionView',
  documents<C.ExceptionView>()(
    object({
      exceptionId: str,
      status: oneOf('open', 'resolved'),
      workOrderId: str,
      stepId: nullable(str),
      code: str,
      owner: str,
      dueAt: time,
      slaBreached: bool,
      escalation: nullable(object({ to: str, escalatesAt: time, escalatedAt: nullable(time) })),
      remediations: array(object({ taskId: str, title: str, owner: str, due: time, closed: bool })),
    }),
  ),
);

export const PostReviewView = component(
  'PostReviewView',
  documents<C.PostReviewView>()(
    object({
      postReviewId: str,
      status: oneOf('due', 'completed'),
      workOrderId: str,
      exceptionId: str,
      reviewer: str,
      dueAt: time,
      overdueNotified: bool,
    }),
  ),
);

const delegationCommand = oneOf('delegate_task', 'execute');

export const DelegationView = component(
  'DelegationView',
  documents<C.DelegationView>()(
    object({
      dispatchId: str,
      dispatchCreatedAt: time,
      status: oneOf('dispatched', 'confirmed', 'timed_out'),
      workOrderId: str,
      recipient: str,
      owner: str,
      command: delegationCommand,
      reminders: array(time),
      remindersSent: int,
      timeoutAt: time,
    }),
  ),
);

export const InboxMessage = component(
  'InboxMessage',
  documents<C.InboxMessage>()(
    object({
      dispatchId: str,
      dispatchCreatedAt: time,
      command: delegationCommand,
      workOrderId: str,
      from: str,
      prompt: object(
        {},
        {
          objective: str,
          scope: str,
          artifacts: array(object({}, { path: str, access: str })),
          verification: strings,
          completion: str,
        },
      ),
    }),
  ),
);
