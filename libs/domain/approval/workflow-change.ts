import {
  ApprovalRequestedData,
  PATTERN_CHANGE,
  PatternChangeRef,
  patternChangeAction,
  refuse,
  WORKFLOW_CHANGE,
  workflowChangeAction,
  WorkflowChangeRef,
} from '@workgate/contracts';
import { DomainEvent } from '../aggregate';
import { actionScopeHash } from './scope';

/** What an approval needs to say who decides it. */
type Asked = Pick<
  ApprovalRequestedData,
  'approvalId' | 'owner' | 'requestedBy' | 'reviewers' | 'change' | 'patternChange'
>;

/**
 * Who decides an approval: its owner, or, on a workflow change its owner asked for, any one of the
 * reviewers recorded with it (docs/policy.md, Changing a workflow). Never the requester.
 */
export const decidersOf = (a: Asked): string[] => (a.reviewers ?? [a.owner]).filter((id) => id !== a.requestedBy);

/** Refuses `by` unless it may decide the approval: 403 `self_approval` for the requester, `not_owner` for anyone else. */
export function assertMayDecide(a: Asked, by: string): void {
  if (by === a.requestedBy) throw refuse('self_approval', 'the requester may not decide their own request');
  const deciders = decidersOf(a);
  if (!deciders.includes(by))
    throw refuse('not_owner', `only ${deciders.join(' or ') || 'nobody'} decides approval ${a.approvalId}`);
}

/** Who asks for a change's approval, who decides it and until when: a workflow's or a pattern's. */
interface ChangeAsked {
  approvalId: string;
  owner: string;
  requestedBy: string;
  /** The owner asked for it: who decides it instead. */
  reviewers?: string[];
  expiresAt: string;
}

export interface RequestWorkflowChange extends ChangeAsked {
  type: 'RequestWorkflowChange';
  change: WorkflowChangeRef;
}

/** A widening version of a workflow waits for its current owner (or its reviewers): an approval that belongs to no work order. */
export function requestWorkflowChange(command: RequestWorkflowChange, now: string): Array<DomainEvent<'approval'>> {
  const { change } = command;
  return requestChange(command, now, {
    kind: WORKFLOW_CHANGE,
    what: change.jobType,
    action: workflowChangeAction(change.jobType, change.version),
    changeId: change.changeId,
    about: { change },
  });
}

export interface RequestPatternChange extends ChangeAsked {
  type: 'RequestPatternChange';
  patternChange: PatternChangeRef;
}

/** A widening version of a pattern waits for its owner (or its reviewers), as a workflow change does (docs/patterns.md, Changing a pattern). */
export function requestPatternChange(command: RequestPatternChange, now: string): Array<DomainEvent<'approval'>> {
  const { patternChange } = command;
  return requestChange(command, now, {
    kind: PATTERN_CHANGE,
    what: `pattern ${patternChange.name}`,
    action: patternChangeAction(patternChange.name, patternChange.version),
    changeId: patternChange.changeId,
    about: { patternChange },
  });
}

/** What an approval of a change records: who asked, who decides, the action it permits and the change. */
function requestChange(
  asked: ChangeAsked,
  now: string,
  of: {
    kind: string;
    /** What changes, as the refusal names it. */
    what: string;
    action: ReturnType<typeof workflowChangeAction>;
    changeId: string;
    about: Pick<ApprovalRequestedData, 'change' | 'patternChange'>;
  },
): Array<DomainEvent<'approval'>> {
  const { approvalId, owner, requestedBy, reviewers, expiresAt } = asked;
  if (reviewers !== undefined && decidersOf({ approvalId, owner, requestedBy, reviewers }).length === 0)
    throw refuse('no_reviewers', `nobody but ${requestedBy} could decide the change of ${of.what}`);
  const data: ApprovalRequestedData = {
    approvalId,
    actionId: of.changeId,
    owner,
    requestedBy,
    requestedAt: now,
    expiresAt,
    scopeHash: actionScopeHash(of.action),
    kind: of.kind,
    action: of.action,
    ...of.about,
    ...(reviewers ? { reviewers } : {}),
  };
  return [{ type: 'ApprovalRequested', data }];
}

export interface WithdrawApproval {
  type: 'WithdrawApproval';
  by: string;
  /** An admin may withdraw any change, not only their own. */
  asAdmin?: boolean;
}

/**
 * A workflow change nobody decided yet is taken back by its requester, or an admin: 409
 * `approval_decided` once decided, expired or withdrawn; 403 `not_requester` for anyone else.
 */
export function withdrawApproval(
  command: WithdrawApproval,
  state: Asked & { status: string },
  now: string,
): Array<DomainEvent<'approval'>> {
  const { approvalId } = state;
  if (!state.change && !state.patternChange)
    throw refuse('validation_failed', `approval ${approvalId} is no workflow change: it is decided, not withdrawn`);
  if (state.status !== 'requested')
    throw refuse('approval_decided', `approval ${approvalId} is already ${state.status}`);
  if (command.by !== state.requestedBy && !command.asAdmin)
    throw refuse('not_requester', `only ${state.requestedBy} (who proposed it) or an admin withdraws it`);
  return [{ type: 'ApprovalWithdrawn', data: { approvalId, withdrawnBy: command.by, at: now } }];
}
