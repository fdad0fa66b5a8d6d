import {
  ApprovalCondition,
  ApprovalRequestedData,
  ConditionInput,
  EvidenceInput,
  evidenceList,
  PermittedAction,
  refuse,
} from '@workgate/contracts';
import { Aggregate, Clock, DomainEvent, versionedEventId } from '../aggregate';
import { conditionsOf, conditionToClose } from './conditions';
import {
  assertMayDecide,
  RequestPatternChange,
  requestPatternChange,
  RequestWorkflowChange,
  requestWorkflowChange,
  WithdrawApproval,
  withdrawApproval,
} from './workflow-change';
import { actionScopeHash, describeAction } from './scope';
import { approversOf, assertMayDecideQuorum, isQuorum, quorumDecision, quorumYes } from './quorum';
import { Requested, requestOf } from './requested';

export { actionScopeHash } from './scope';

export type ApprovalState =
  | { status: 'none' }
  | (Requested & { status: 'requested' })
  | (Requested & {
      status: 'conditional';
      decidedBy: string;
      permittedAction: PermittedAction;
      conditions: ApprovalCondition[];
    })
  | (Requested & { status: 'approved'; decidedBy: string; permittedAction: PermittedAction; at: string })
  | (Requested & { status: 'rejected'; decidedBy: string; at: string; note?: string })
  | (Requested & { status: 'expired'; at: string })
  | (Requested & { status: 'withdrawn'; withdrawnBy: string; at: string });

export type ApprovalCommand =
  | {
      type: 'RequestApproval';
      approvalId: string;
      workOrderId: string;
      actionId: string;
      owner: string;
      requestedBy: string;
      action: PermittedAction;
      expiresAt: string;
      kind?: string;
      /** The rule's or gate's `approvals`: distinct approvers needed, and who they may be. */
      required?: number;
      from?: string[];
    }
  | {
      type: 'DecideApproval';
      by: string;
      decision: 'approve' | 'reject' | 'conditional';
      permittedAction?: PermittedAction;
      conditions?: ConditionInput[];
      note?: string;
    }
  | RequestWorkflowChange
  | RequestPatternChange
  | WithdrawApproval
  | { type: 'CloseCondition'; by: string; conditionId: string; evidence: EvidenceInput }
  | { type: 'ExpireApproval' };

export type ApprovalEvent = DomainEvent<'approval'>;

export const initialApprovalState = (): ApprovalState => ({ status: 'none' });

const withNote = (note: string | undefined) => (note ? { note } : {});

/**
 * Approvals: only the named owner decides, never the requester; the decision names the permitted
 * action, which must be exactly the waiting action's scope; a conditional approval becomes
 * approved when its last condition closes with evidence, and no condition is the requester's to
 * meet or close (docs/api.md, What the commands record); an unanswered request expires. An
 * approval of several approvers (`required` of `from`) records each one's decision, once each, and
 * is approved when `required` of them permit the same action (docs/policy.md, Two-person approvals).
 * Time comes in `now`.
 */
export function decideApproval(command: ApprovalCommand, state: ApprovalState, clock: Clock): ApprovalEvent[] {
  return withChangeSettled(state, decided(command, state, clock));
}

/** The outcomes of an approval, by event type. */
const OUTCOMES = {
  ApprovalGranted: 'granted',
  ApprovalRejected: 'rejected',
  ApprovalExpired: 'expired',
  ApprovalWithdrawn: 'withdrawn',
} as const;
const isOutcome = (type: string): type is keyof typeof OUTCOMES => Object.hasOwn(OUTCOMES, type);

/** An approval of a change that `events` settle gets ApprovalOfChangeSettled beside its outcome, in the same commit. */
function withChangeSettled(state: ApprovalState, events: ApprovalEvent[]): ApprovalEvent[] {
  if (state.status === 'none' || !(state.change ?? state.patternChange)) return events;
  const outcome = events.find((e) => isOutcome(e.type));
  if (!outcome || !isOutcome(outcome.type)) return events;
  const at = 'at' in outcome.data ? outcome.data.at : '';
  return [
    ...events,
    { type: 'ApprovalOfChangeSettled', data: { approvalId: state.approvalId, outcome: OUTCOMES[outcome.type], at } },
  ];
}

function decided(command: ApprovalCommand, state: ApprovalState, { now }: Clock): ApprovalEvent[] {
  if (command.type === 'RequestApproval') {
    if (state.status !== 'none') return []; // the same request seen again: already requested
    const { approvalId, workOrderId, actionId, owner, requestedBy, expiresAt, kind, action, required, from } = command;
    const data: ApprovalRequestedData = {
      approvalId,
      workOrderId,
      actionId,
      owner,
      requestedBy,
      requestedAt: now,
      expiresAt,
      scopeHash: actionScopeHash(action),
      ...(kind ? { kind } : {}),
      action,
      ...(required !== undefined && from ? { required, from } : {}),
    };
    return [{ type: 'ApprovalRequested', data }];
  }
  if (command.type === 'RequestWorkflowChange')
    return state.status === 'none' ? requestWorkflowChange(command, now) : []; // the same request seen again
  if (command.type === 'RequestPatternChange') return state.status === 'none' ? requestPatternChange(command, now) : [];
  if (state.status === 'none') throw refuse('not_found', 'no such approval');
  const { approvalId } = state;

  switch (command.type) {
    case 'DecideApproval': {
      if (state.status !== 'requested')
        throw refuse('approval_decided', `approval ${approvalId} is already ${state.status}`);
      if (isQuorum(state)) assertMayDecideQuorum(state, command.by);
      else assertMayDecide(state, command.by);
      if (isQuorum(state) && command.decision === 'reject')
        return quorumDecision(state, {
          approvalId,
          by: command.by,
          decision: 'reject',
          at: now,
          ...withNote(command.note),
        });
      const decided = { approvalId, decidedBy: command.by, at: now, ...withNote(command.note) };
      if (command.decision === 'reject') return [{ type: 'ApprovalRejected', data: decided }];
      // A change to a workflow (or a pattern) is approved or rejected as a whole: approving it permits publishing it.
      const change = state.change ?? state.patternChange;
      if (change && command.decision === 'conditional')
        throw refuse(
          'validation_failed',
          `a workflow change is approved or rejected; approval ${approvalId} takes no conditions`,
        );
      const permittedAction = command.permittedAction ?? (change ? state.action : undefined);
      // The refusal names the action that waits, so the approver can name it.
      const waiting = state.action ? [{ path: 'permittedAction', waiting: state.action }] : undefined;
      const named = state.action ? `: name ${describeAction(state.action)} as permittedAction` : '';
      if (!permittedAction)
        throw refuse('permitted_action_mismatch', `an approval must name the permitted action${named}`, waiting);
      if (actionScopeHash(permittedAction) !== state.scopeHash) {
        throw refuse(
          'permitted_action_mismatch',
          `the permitted action is not the action that waits for this approval${named}`,
          waiting,
        );
      }
      // Naming a tool call's arguments permits that very call only: it must be the call that waits.
      if (
        permittedAction.argumentsSha256 !== undefined &&
        permittedAction.argumentsSha256 !== state.action?.argumentsSha256
      ) {
        throw refuse(
          'permitted_action_mismatch',
          `argumentsSha256 is not the hash of the call that waits for this approval${state.action?.argumentsSha256 ? ` (${state.action.argumentsSha256})` : ': it is no tool call'}`,
          waiting,
        );
      }
      if (isQuorum(state)) return quorumYes(state, { ...command, decision: command.decision, permittedAction }, now);
      if (command.decision === 'approve') return [{ type: 'ApprovalGranted', data: { ...decided, permittedAction } }];
      const conditions = conditionsOf(command.conditions ?? [], now, state.requestedBy);
      return [{ type: 'ApprovalConditioned', data: { ...decided, permittedAction, conditions } }];
    }
    case 'CloseCondition': {
      if (state.status !== 'conditional')
        throw refuse('approval_not_conditional', `approval ${approvalId} is ${state.status}`);
      const { condition, evidence, open } = conditionToClose(state, command);
      const closed: ApprovalEvent = {
        type: 'ApprovalConditionClosed',
        data: {
          approvalId,
          conditionId: condition.conditionId,
          closedBy: command.by,
          evidence,
          at: now,
          openConditions: open.map((c) => c.text),
        },
      };
      if (open.length > 0) return [closed];
      const approvers = isQuorum(state) ? { approvers: approversOf(state) } : {};
      return [
        closed,
        {
          type: 'ApprovalGranted',
          data: {
            approvalId,
            decidedBy: state.decidedBy,
            permittedAction: state.permittedAction,
            at: now,
            ...approvers,
          },
        },
      ];
    }
    case 'WithdrawApproval':
      return withdrawApproval(command, state, now);
    case 'ExpireApproval': {
      if (state.status !== 'requested') return []; // decided in time: nothing expires
      if (Date.parse(now) < Date.parse(state.expiresAt))
        throw refuse('not_due', `approval ${approvalId} expires at ${state.expiresAt}`);
      return [{ type: 'ApprovalExpired', data: { approvalId, at: now } }];
    }
    default: {
      const never: never = command;
      throw new Error(`unknown command ${JSON.stringify(never)}`);
    }
  }
}

export function evolveApproval(state: ApprovalState, event: ApprovalEvent): ApprovalState {
  if (event.type === 'ApprovalRequested') return { status: 'requested', ...event.data };
  if (state.status === 'none') return state;
  const requested = requestOf(state);
  switch (event.type) {
    case 'ApprovalGranted':
      return {
        ...requested,
        status: 'approved',
        decidedBy: event.data.decidedBy,
        permittedAction: event.data.permittedAction,
        at: event.data.at,
      };
    case 'ApprovalConditioned':
      return {
        ...requested,
        status: 'conditional',
        decidedBy: event.data.decidedBy,
        permittedAction: event.data.permittedAction,
        conditions: event.data.conditions,
      };
    case 'ApprovalConditionClosed': {
      if (state.status !== 'conditional') return state;
      const { conditionId, evidence } = event.data;
      return {
        ...state,
        conditions: state.conditions.map((c) =>
          c.conditionId === conditionId ? { ...c, closed: true, evidence: evidenceList(evidence) } : c,
        ),
      };
    }
    case 'ApprovalRejected':
      return {
        ...requested,
        status: 'rejected',
        decidedBy: event.data.decidedBy,
        at: event.data.at,
        ...withNote(event.data.note),
      };
    case 'ApprovalExpired':
      return { ...requested, status: 'expired', at: event.data.at };
    case 'ApprovalWithdrawn':
      return { ...requested, status: 'withdrawn', withdrawnBy: event.data.withdrawnBy, at: event.data.at };
    case 'ApprovalOfChangeSettled':
      // Says again what the outcome beside it said, for the policy service (decideApproval).
      return state;
    case 'ApprovalDecisionRecorded':
      // One approver's decision: the approval waits for the others (its outcome follows as its own event).
      return { ...state, decisions: [...(state.decisions ?? []), event.data] };
    default: {
      const never: never = event;
      throw new Error(`unknown event ${JSON.stringify(never)}`);
    }
  }
}

/** The approval aggregate (`approval-<id>`). */
export const approvals: Aggregate<ApprovalState, ApprovalCommand, ApprovalEvent> = {
  stream: 'approval',
  initial: initialApprovalState,
  evolve: evolveApproval,
  decide: decideApproval,
  eventId: versionedEventId('approval'),
};
