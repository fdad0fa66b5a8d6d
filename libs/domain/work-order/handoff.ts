import { GateView, ScopeChangeTrackView, WorkflowDefinition } from '@workgate/contracts';
import { ApprovalRecord, approvalBlocker, isOpen } from './lifecycle';
import type { WorkOrder } from './work-order.state';

/** What still stands in the way of closing. */
export function openBlockers(state: WorkOrder, definition: WorkflowDefinition): string[] {
  const blockers: string[] = [];
  for (const e of state.exceptions.values())
    if (e.open) blockers.push(`exception ${e.code} (${e.exceptionId}) is open`);
  for (const [actionId, a] of state.actions)
    if (a.pending) blockers.push(`approval ${a.approvalId} for action ${actionId} is pending`);
  for (const a of state.approvals.values()) if (!a.source.actionId && isOpen(a)) blockers.push(approvalBlocker(a));
  for (const step of definition.steps ?? [])
    if (!state.completedSteps.has(step.id)) blockers.push(`step ${step.id} is not completed`);
  return blockers;
}

/** The gate view of an approval record. */
export function gateView(a: ApprovalRecord): GateView {
  return {
    approvalId: a.approvalId,
    kind: a.kind,
    owner: a.owner,
    status: a.status,
    openConditions: a.openConditions,
    action: a.action,
  };
}

/** A scope change's tracks as owners see them (or, `asOpened`, as they were opened): status, whether only drafts may proceed, what blocks them. */
export function scopeChangeTracks(state: WorkOrder, scopeChangeId: string, asOpened = false): ScopeChangeTrackView[] {
  const change = state.scopeChanges.get(scopeChangeId);
  if (!change) return [];
  return change.tracks.map((t) => {
    const now = state.approvals.get(t.approvalId)!;
    const a: ApprovalRecord = asOpened ? { ...now, status: 'requested', openConditions: [] } : now;
    return {
      kind: t.kind,
      approvalId: t.approvalId,
      status: a.status,
      mode: a.status === 'approved' ? 'approved' : 'draft-only',
      owner: a.owner,
      scope: t.item,
      blockers: a.status === 'approved' ? [] : [approvalBlocker(a)],
    };
  });
}

/** The work order as rule conditions see it (`workOrder.*` in CEL). */
export function workOrderFacts(state: WorkOrder): Record<string, unknown> {
  return {
    id: state.id,
    jobType: state.policy.jobType,
    version: state.policy.version,
    status: state.status,
    source: state.source,
    externalRef: state.externalRef,
    owner: state.owner,
    inputs: state.inputs,
    completedSteps: [...state.completedSteps.keys()],
    openExceptions: [...state.exceptions.values()].filter((e) => e.open).map((e) => e.code),
    reopened: state.reopened,
  };
}
