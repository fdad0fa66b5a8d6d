import {
  ActionDecidedData,
  Evidence,
  RecordedEvent,
  WorkflowDefinition,
  WorkOrderEvents,
} from '@workgate/contracts';
import { OpenState, openBlockers } from '@workgate/domain';

/** Unknown facts are TBD in state handoffs, never invented. */
export const TBD = 'TBD';

/** The compact state handoff of a work order (GET /v1/work-orders/:id). */
export function stateHandoff(state: OpenState, definition: WorkflowDefinition) {
  const openExceptions = [...state.exceptions.values()].filter((e) => e.open).map(({ open: _open, ...e }) => e);
  const pendingApprovals = [...state.actions.entries()].filter(([, a]) => a.pending).map(([actionId, a]) => ({ approvalId: a.approvalId, actionId, status: 'requested' }));
  const blocked = new Set(openExceptions.map((e) => e.stepId));
  const steps = (definition.steps ?? []).map((s) => ({
    id: s.id,
    title: s.title,
    status: state.completedSteps.has(s.id) ? 'completed' : blocked.has(s.id) ? 'blocked' : 'pending',
    evidenceRequired: s.evidence ?? [],
  }));
  const next = nextMove(state, definition, steps);
  return {
    id: state.id,
    status: state.status,
    jobType: state.policy.jobType,
    workflow: { title: definition.title, version: state.policy.version, sha256: state.policy.sha256 },
    source: state.source,
    externalRef: state.externalRef,
    owner: state.owner,
    stage: TBD,
    prerequisites: state.prerequisites,
    steps,
    approvals: pendingApprovals,
    openExceptions,
    blockers: state.status === 'closed' ? [] : openBlockers(state, definition),
    nextAction: next.action,
    nextOwner: next.owner,
    closure: state.closure ? { at: state.closure.at, evidenceMissing: state.closure.evidenceMissing } : null,
    reopened: state.reopened,
  };
}

function nextMove(state: OpenState, definition: WorkflowDefinition, steps: Array<{ id: string; title: string; status: string }>) {
  if (state.status === 'closed') return { action: 'none: closed', owner: TBD };
  const exception = [...state.exceptions.values()].find((e) => e.open);
  if (exception) return { action: `resolve exception ${exception.code}`, owner: exception.owner };
  const approval = [...state.actions.values()].find((a) => a.pending);
  if (approval) return { action: `decide approval ${approval.approvalId}`, owner: definition.owner };
  const step = steps.find((s) => s.status !== 'completed');
  if (step) return { action: `complete step ${step.id}: ${step.title}`, owner: TBD };
  return { action: 'close with closure evidence', owner: state.owner };
}

// Anything that looks like a credential is masked even in the few free-text fields a delivery page shows.
const SECRET_PATTERNS = [
  /\b(?:bearer|basic)\s+[A-Za-z0-9._~+/=-]{8,}/gi,
  /\b[a-z][a-z0-9+.-]*:\/\/[^\s/:@]+:[^\s/@]+@/gi,
  /\b(?:api[_-]?key|token|secret|password|passwd|pwd)\s*[=:]\s*\S+/gi,
  /\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g,
  /\b(?:AKIA|ASIA)[A-Z0-9]{16}\b/g,
  /\b(?:sk|pk|rk|ghp|gho|xox[abp])[-_][A-Za-z0-9-_]{10,}/g,
];

export function maskSecrets(text: string): string {
  return SECRET_PATTERNS.reduce((t, re) => t.replace(re, '[redacted]'), text);
}

function publicEvidence(evidence: Evidence[]): Array<{ kind: string }> {
  return evidence.filter((e) => e.private !== true).map((e) => ({ kind: e.kind }));
}

/**
 * The public delivery page: status, decisions, blockers, next moves, who decides next. Built by
 * allow-list: no facts, no inputs, no evidence references, no private evidence, no raw logs;
 * the free text it keeps (reasons, step titles) is masked for anything credential-shaped.
 */
export function deliveryPage(state: OpenState, definition: WorkflowDefinition, events: RecordedEvent[]) {
  const handoff = stateHandoff(state, definition);
  const decisions = events
    .filter((e) => e.type === WorkOrderEvents.ActionDecided)
    .map((e) => {
      const d = e.data as unknown as ActionDecidedData;
      return {
        at: e.occurredAt,
        action: `${d.action.kind} ${d.action.system} ${d.action.operation}`,
        decision: d.decision.decision,
        reason: d.decision.reason,
        rule: d.decision.rule,
        decisionOwner: d.decision.decisionOwner,
        scopeChecks: d.decision.scopeChecks,
        policy: `${d.decision.policy.jobType} v${d.decision.policy.version}`,
      };
    });
  const completed = events
    .filter((e) => e.type === WorkOrderEvents.StepCompleted)
    .map((e) => ({ stepId: (e.data as { stepId: string }).stepId, at: e.occurredAt, evidence: publicEvidence((e.data as { evidence: Evidence[] }).evidence) }));
  const page = {
    workOrder: handoff.id,
    title: definition.title,
    status: handoff.status,
    workflow: `${handoff.jobType} v${handoff.workflow.version}`,
    decisions,
    steps: handoff.steps.map((s) => ({ id: s.id, title: s.title, status: s.status, evidence: completed.find((c) => c.stepId === s.id)?.evidence ?? [] })),
    blockers: handoff.blockers,
    openExceptions: handoff.openExceptions.map((e) => ({ code: e.code, owner: e.owner, dueAt: e.dueAt, stepId: e.stepId })),
    nextMoves: [handoff.nextAction],
    whoDecidesNext: handoff.nextOwner,
    closure: handoff.closure,
  };
  return JSON.parse(maskSecrets(JSON.stringify(page)));
}
