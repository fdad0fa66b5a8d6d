import { hash } from 'node:crypto';
import { canonicalize, Evidence, refuse } from '@workgate/contracts';

/** What an approval permits: an action's scope and the action itself. */
export interface PermittedAction {
  system: string;
  operation: string;
  kind: 'read' | 'write';
  /** Objects the permission is limited to (none: the scope as a whole). */
  objects?: string[];
}

/** sha256 of the canonical permitted action: an approval covers this hash and nothing else. */
export function actionScopeHash(a: PermittedAction): string {
  const objects = [...new Set(a.objects ?? [])].sort();
  return hash('sha256', canonicalize({ system: a.system, operation: a.operation, kind: a.kind, objects }));
}

export interface Condition {
  conditionId: string;
  text: string;
  closed: boolean;
  evidence?: Evidence;
}

interface Common {
  approvalId: string;
  workOrderId: string;
  actionId: string;
  owner: string;
  requestedBy: string;
  requestedAt: string;
  expiresAt: string;
  /** Scope hash of the action that waits for this approval. */
  scopeHash: string;
  /** What kind of approval (a rule's or a gate's kind, `change-order`); absent on approvals recorded before kinds. */
  kind?: string;
  /** The action the approver must name as the permitted action. */
  action?: PermittedAction;
}

export type ApprovalState =
  | { status: 'none' }
  | (Common & { status: 'requested' })
  | (Common & { status: 'conditional'; decidedBy: string; permittedAction: PermittedAction; conditions: Condition[] })
  | (Common & { status: 'approved'; decidedBy: string; permittedAction: PermittedAction; at: string })
  | (Common & { status: 'rejected'; decidedBy: string; at: string; note?: string })
  | (Common & { status: 'expired'; at: string });

export type ApprovalCommand =
  | { type: 'RequestApproval'; approvalId: string; workOrderId: string; actionId: string; owner: string; requestedBy: string; action: PermittedAction; expiresAt: string; kind?: string }
  | { type: 'DecideApproval'; by: string; decision: 'approve' | 'reject' | 'conditional'; permittedAction?: PermittedAction; conditions?: string[]; note?: string }
  | { type: 'CloseCondition'; by: string; conditionId: string; evidence: Evidence }
  | { type: 'ExpireApproval' };

export type ApprovalEvent =
  | { type: 'ApprovalRequested'; data: Common }
  | { type: 'ApprovalGranted'; data: { approvalId: string; decidedBy: string; permittedAction: PermittedAction; at: string; note?: string } }
  | { type: 'ApprovalConditioned'; data: { approvalId: string; decidedBy: string; permittedAction: PermittedAction; conditions: Condition[]; at: string; note?: string } }
  | { type: 'ApprovalConditionClosed'; data: { approvalId: string; conditionId: string; closedBy: string; evidence: Evidence; at: string; openConditions?: string[] } }
  | { type: 'ApprovalRejected'; data: { approvalId: string; decidedBy: string; at: string; note?: string } }
  | { type: 'ApprovalExpired'; data: { approvalId: string; at: string } };

export const initialApprovalState = (): ApprovalState => ({ status: 'none' });


/**
 * Approvals: only the named owner decides, never the requester; the decision names the permitted
 * action, which must be exactly the waiting action's scope; a conditional approval becomes
 * approved when its last condition closes with evidence; an unanswered request expires.
 * Time comes in `now`.
 */
export function decideApproval(command: ApprovalCommand, state: ApprovalState, now: string): ApprovalEvent[] {
  if (command.type === 'RequestApproval') {
    if (state.status !== 'none') return []; // the same wait decision seen again: already requested
    return [
      {
        type: 'ApprovalRequested',
        data: {
          approvalId: command.approvalId,
          workOrderId: command.workOrderId,
          actionId: command.actionId,
          owner: command.owner,
          requestedBy: command.requestedBy,
          requestedAt: now,
          expiresAt: command.expiresAt,
          scopeHash: actionScopeHash(command.action),
          ...(command.kind ? { kind: command.kind } : {}),
          action: command.action,
        },
      },
    ];
  }
  if (state.status === 'none') throw refuse('not_found', 'no such approval');

  switch (command.type) {
    case 'DecideApproval': {
      if (state.status !== 'requested') throw refuse('approval_decided', `approval ${state.approvalId} is already ${state.status}`);
      if (command.by === state.requestedBy) throw refuse('self_approval', 'the requester may not decide their own request');
      if (command.by !== state.owner) throw refuse('not_owner', `only ${state.owner} decides approval ${state.approvalId}`);
      if (command.decision === 'reject') return [{ type: 'ApprovalRejected', data: { approvalId: state.approvalId, decidedBy: command.by, at: now, ...(command.note ? { note: command.note } : {}) } }];
      const permitted = command.permittedAction;
      if (!permitted) throw refuse('permitted_action_mismatch', 'an approval must name the permitted action');
      if (actionScopeHash(permitted) !== state.scopeHash) {
        throw refuse('permitted_action_mismatch', 'the permitted action is not the action that waits for this approval');
      }
      if (command.decision === 'approve') {
        return [{ type: 'ApprovalGranted', data: { approvalId: state.approvalId, decidedBy: command.by, permittedAction: permitted, at: now, ...(command.note ? { note: command.note } : {}) } }];
      }
      const texts = (command.conditions ?? []).map((t) => t.trim()).filter(Boolean);
      if (texts.length === 0) throw refuse('validation_failed', 'a conditional approval needs at least one condition');
      const conditions = texts.map((text, i) => ({ conditionId: `c${i + 1}`, text, closed: false }));
      return [{ type: 'ApprovalConditioned', data: { approvalId: state.approvalId, decidedBy: command.by, permittedAction: permitted, conditions, at: now, ...(command.note ? { note: command.note } : {}) } }];
    }
    case 'CloseCondition': {
      if (state.status !== 'conditional') throw refuse('approval_not_conditional', `approval ${state.approvalId} is ${state.status}`);
      if (command.by !== state.owner) throw refuse('not_owner', `only ${state.owner} closes conditions of approval ${state.approvalId}`);
      const condition = state.conditions.find((c) => c.conditionId === command.conditionId);
      if (!condition) throw refuse('not_found', `approval ${state.approvalId} has no condition ${command.conditionId}`);
      if (condition.closed) throw refuse('condition_closed', `condition ${command.conditionId} is already closed`);
      if (!command.evidence?.kind || !command.evidence?.ref) throw refuse('validation_failed', 'closing a condition needs evidence');
      const openConditions = state.conditions.filter((c) => !c.closed && c.conditionId !== condition.conditionId).map((c) => c.text);
      const closed: ApprovalEvent = { type: 'ApprovalConditionClosed', data: { approvalId: state.approvalId, conditionId: condition.conditionId, closedBy: command.by, evidence: command.evidence, at: now, openConditions } };
      const lastOpen = state.conditions.filter((c) => !c.closed).length === 1;
      return lastOpen
        ? [closed, { type: 'ApprovalGranted', data: { approvalId: state.approvalId, decidedBy: state.decidedBy, permittedAction: state.permittedAction, at: now } }]
        : [closed];
    }
    case 'ExpireApproval': {
      if (state.status !== 'requested') return []; // decided in time: nothing expires
      if (Date.parse(now) < Date.parse(state.expiresAt)) throw refuse('not_due', `approval ${state.approvalId} expires at ${state.expiresAt}`);
      return [{ type: 'ApprovalExpired', data: { approvalId: state.approvalId, at: now } }];
    }
    default: {
      const never: never = command;
      throw new Error(`unknown command ${JSON.stringify(never)}`);
    }
  }
}

export function evolveApproval(state: ApprovalState, event: ApprovalEvent): ApprovalState {
  switch (event.type) {
    case 'ApprovalRequested':
      return { status: 'requested', ...event.data };
    case 'ApprovalGranted':
      if (state.status === 'none') return state;
      return { ...common(state), status: 'approved', decidedBy: event.data.decidedBy, permittedAction: event.data.permittedAction, at: event.data.at };
    case 'ApprovalConditioned':
      if (state.status === 'none') return state;
      return { ...common(state), status: 'conditional', decidedBy: event.data.decidedBy, permittedAction: event.data.permittedAction, conditions: event.data.conditions };
    case 'ApprovalConditionClosed':
      if (state.status !== 'conditional') return state;
      return { ...state, conditions: state.conditions.map((c) => (c.conditionId === event.data.conditionId ? { ...c, closed: true, evidence: event.data.evidence } : c)) };
    case 'ApprovalRejected':
      if (state.status === 'none') return state;
      return { ...common(state), status: 'rejected', decidedBy: event.data.decidedBy, at: event.data.at, ...(event.data.note ? { note: event.data.note } : {}) };
    case 'ApprovalExpired':
      if (state.status === 'none') return state;
      return { ...common(state), status: 'expired', at: event.data.at };
  }
}

function common(s: Exclude<ApprovalState, { status: 'none' }>): Common {
  const { approvalId, workOrderId, actionId, owner, requestedBy, requestedAt, expiresAt, scopeHash, kind, action } = s;
  return { approvalId, workOrderId, actionId, owner, requestedBy, requestedAt, expiresAt, scopeHash, ...(kind ? { kind } : {}), ...(action ? { action } : {}) };
}

/** Whether the approval keeps its work order from closing: pending, or conditional with open conditions. */
export function approvalBlocksClosure(state: ApprovalState): boolean {
  return state.status === 'requested' || (state.status === 'conditional' && state.conditions.some((c) => !c.closed));
}
