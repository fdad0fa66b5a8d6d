import type * as C from '../approvals';
import type * as S from '../approval-subject';
import {
  anything,
  array,
  bool,
  component,
  described,
  documents,
  int,
  nullable,
  object,
  oneOf,
  sha256,
  str,
  strings,
  time,
} from './json-schema';
import { actionKind, approvalStatus, conditions, permittedAction } from './shapes';
import { WorkflowChangeRef } from './workflow-change.schemas';
import { PatternChangeRef } from './pattern.schemas';

const actionRequest = object(
  { system: str, operation: str, kind: actionKind },
  { objects: strings, stepId: str, argumentsSha256: sha256, facts: anything },
);

/** What an approval decides, as its card shows it (docs/approvers.md). */
export const ApprovalSubject = component(
  'ApprovalSubject',
  documents<S.ApprovalSubject>()(
    object(
      { releases: described(str, 'what approving releases, in words') },
      {
        action: actionRequest,
        toolCall: object(
          { tool: str, argumentsSha256: sha256, masked: bool },
          {
            arguments: array(object({ name: str, value: str, preview: str, length: int, folded: bool })),
            file: object({ path: str, writes: str }),
          },
        ),
        blocks: object({ action: actionRequest, message: str }),
        follows: described(str, "the agent's earlier `request_action` approval for the same tool"),
        followedBy: described(str, "the approval of the gateway's call that followed this `request_action`"),
      },
    ),
  ),
);

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
        patternChange: described(
          PatternChangeRef.ref,
          'a `pattern-change` approval: the pattern version proposed and its diff',
        ),
        reviewers: described(strings, 'a `workflow-change` approval its owner asked for: who decides it instead'),
        kind: str,
        requestedAction: permittedAction,
        decidedBy: str,
        permittedAction,
        conditions,
        subject: ApprovalSubject.ref,
        required: described(int, 'an approval of several approvers: how many distinct approvers must approve'),
        from: described(strings, 'an approval of several approvers: who may decide it (never the requester)'),
        approvals: described(
          array(object({ by: str, at: time, decision: oneOf('approve', 'reject', 'conditional') })),
          'an approval of several approvers: each decision so far, in order',
        ),
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
