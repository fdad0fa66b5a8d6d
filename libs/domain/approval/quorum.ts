import { hash } from 'node:crypto';
import {
  ApprovalCondition,
  ApprovalDecisionRecordedData,
  ApprovalRequestedData,
  canonicalize,
  ConditionInput,
  PermittedAction,
  refuse,
} from '@workgate/contracts';
import { DomainEvent } from '../aggregate';
import { conditionsOf } from './conditions';

/** An approval of several approvers, as it stands: its request and each approver's decision so far. */
export type Quorum = Pick<ApprovalRequestedData, 'approvalId' | 'requestedBy' | 'required' | 'from'> & {
  decisions?: ApprovalDecisionRecordedData[];
};

/** Whether an approval asks for several approvers (`approvals: {required, from}`) rather than its owner alone. */
export const isQuorum = (a: Pick<ApprovalRequestedData, 'required'>): boolean => a.required !== undefined;

/** Who may decide it: the approvers named, never the requester (docs/policy.md, Two-person approvals). */
export const quorumDeciders = (a: Quorum): string[] => (a.from ?? []).filter((id) => id !== a.requestedBy);

/** sha256 of the canonical permitted action, objects and the call's arguments hash included: what every approver must name alike. */
export function permittedActionSha256(a: PermittedAction): string {
  const objects = [...new Set(a.objects ?? [])].sort();
  return hash(
    'sha256',
    canonicalize({
      system: a.system,
      operation: a.operation,
      kind: a.kind,
      objects,
      ...(a.argumentsSha256 !== undefined ? { argumentsSha256: a.argumentsSha256 } : {}),
    }),
  );
}

/**
 * Refuses `by` unless it may decide now: 403 `self_approval` for the requester, 403 `not_owner`
 * for anyone not named in `from`, 409 `already_decided` for an approver who decided already (each
 * approver decides once).
 */
export function assertMayDecideQuorum(a: Quorum, by: string): void {
  if (by === a.requestedBy) throw refuse('self_approval', 'the requester may not decide their own request');
  const deciders = quorumDeciders(a);
  if (!deciders.includes(by))
    throw refuse('not_owner', `only ${deciders.join(', ') || 'nobody'} decides approval ${a.approvalId}`);
  const earlier = (a.decisions ?? []).find((d) => d.by === by);
  if (earlier)
    throw refuse(
      'already_decided',
      `${by} already decided approval ${a.approvalId} (${earlier.decision}, ${earlier.at}): each approver decides once; it needs ${a.required} distinct approvers`,
    );
}

/** The decisions that say yes (approve or conditional). */
const yeses = (decisions: ApprovalDecisionRecordedData[]) => decisions.filter((d) => d.decision !== 'reject');

/** Refuses a permitted action other than the one the approvers before named (422 `permitted_action_mismatch`). */
export function assertSameAction(a: Quorum, permittedAction: PermittedAction): void {
  const first = yeses(a.decisions ?? []).find((d) => d.permittedAction)?.permittedAction;
  if (first && permittedActionSha256(first) !== permittedActionSha256(permittedAction))
    throw refuse(
      'permitted_action_mismatch',
      `every approver permits the same action: ${JSON.stringify(first)} (sha256 ${permittedActionSha256(first)}), as approved before`,
      [{ path: 'permittedAction', waiting: first }],
    );
}

/** The conditions the approvers before named: a new condition's id is unique across all of them. */
export const namedConditions = (a: Quorum): ApprovalCondition[] =>
  (a.decisions ?? []).flatMap((d) => d.conditions ?? []);

/**
 * The events of one approver's decision: the decision recorded, then the outcome it brings
 * about. A rejection rejects at once. A yes that makes `required` yeses approves, or, when any of
 * them is conditional, makes the approval conditional on all their conditions (it is approved when
 * the last one closes: a conditional decision counts once its conditions close). Fewer yeses
 * leave it requested.
 */
export function quorumDecision(a: Quorum, decision: ApprovalDecisionRecordedData): Array<DomainEvent<'approval'>> {
  const recorded: DomainEvent<'approval'> = { type: 'ApprovalDecisionRecorded', data: decision };
  const { approvalId } = a;
  const { by, at, note } = decision;
  if (decision.decision === 'reject')
    return [recorded, { type: 'ApprovalRejected', data: { approvalId, decidedBy: by, at, ...(note ? { note } : {}) } }];
  const yes = yeses([...(a.decisions ?? []), decision]);
  if (yes.length < (a.required ?? 1)) return [recorded];
  const permittedAction = decision.permittedAction!;
  const conditions = yes.flatMap((d) => d.conditions ?? []);
  if (conditions.some((c) => !c.closed))
    return [
      recorded,
      { type: 'ApprovalConditioned', data: { approvalId, decidedBy: by, permittedAction, conditions, at } },
    ];
  const approvers = yes.map((d) => d.by);
  return [recorded, { type: 'ApprovalGranted', data: { approvalId, decidedBy: by, permittedAction, at, approvers } }];
}

/** The approvers whose decisions counted toward the outcome (the yeses, in order). */
export const approversOf = (a: Quorum): string[] => yeses(a.decisions ?? []).map((d) => d.by);

/**
 * An approver's approve or conditional decision, its permitted action checked against the waiting
 * one already: it must be the action the approvers before named; a conditional one's conditions
 * are numbered after theirs and are that approver's to meet unless they name another owner.
 */
export function quorumYes(
  a: Quorum,
  command: {
    by: string;
    decision: 'approve' | 'conditional';
    permittedAction: PermittedAction;
    conditions?: ConditionInput[];
    note?: string;
  },
  now: string,
): Array<DomainEvent<'approval'>> {
  const { by, decision, permittedAction, note } = command;
  assertSameAction(a, permittedAction);
  const conditions =
    decision === 'conditional'
      ? conditionsOf(command.conditions ?? [], now, a.requestedBy, { taken: namedConditions(a), namedBy: by })
      : undefined;
  return quorumDecision(a, {
    approvalId: a.approvalId,
    by,
    decision,
    at: now,
    permittedAction,
    ...(conditions ? { conditions } : {}),
    ...(note ? { note } : {}),
  });
}
