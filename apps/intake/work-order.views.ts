import {
  DecisionRecord,
  DeliveryPage,
  eventOf,
  Evidence,
  RecordedEvent,
  WorkflowDefinition,
  WorkOrderEvents,
} from '@workgate/contracts';
import { maskStrings, WorkOrder } from '@workgate/domain';
import { stateHandoff } from './work-order.handoff';

export { stateHandoff, TBD } from './work-order.handoff';

function publicEvidence(evidence: Evidence[]): Array<{ kind: string }> {
  return evidence.filter((e) => e.private !== true).map((e) => ({ kind: e.kind }));
}

/**
 * The public delivery page: status, decisions, blockers, next moves, who decides next. Built by
 * allow-list: no facts, no inputs, no evidence references, no private evidence, no raw logs;
 * the free text it keeps (reasons, step titles) is masked for anything credential-shaped.
 */
export function deliveryPage(state: WorkOrder, definition: WorkflowDefinition, events: RecordedEvent[]): DeliveryPage {
  const handoff = stateHandoff(state, definition);
  const outcomes = approvalOutcomes(events);
  const decisions = events
    .map((e) => eventOf(e, 'workorder', WorkOrderEvents.ActionDecided))
    .filter((e) => e !== undefined)
    .map((e) => {
      const d = e.data;
      const outcome = d.decision.decision === 'wait' && d.approvalId ? outcomes.get(d.approvalId) : undefined;
      return {
        at: e.occurredAt,
        action: `${d.action.kind} ${d.action.system} ${d.action.operation}`,
        decision: d.decision.decision,
        reason: d.decision.reason,
        message: d.decision.message,
        rule: d.decision.rule,
        decisionOwner: d.decision.decisionOwner,
        scopeChecks: d.decision.scopeChecks,
        policy: `${d.decision.policy.jobType} v${d.decision.policy.version}`,
        ...(outcome ? { outcome } : {}),
      };
    });
  const completed = events
    .map((e) => eventOf(e, 'workorder', WorkOrderEvents.StepCompleted))
    .filter((e) => e !== undefined)
    .map((e) => ({ stepId: e.data.stepId, at: e.occurredAt, evidence: publicEvidence(e.data.evidence) }));
  const closed = handoff.status === 'closed';
  const page: DeliveryPage = {
    workOrder: handoff.id,
    title: definition.title,
    status: handoff.status,
    workflow: `${handoff.jobType} v${handoff.workflow.version}`,
    decisions,
    steps: handoff.steps.map((s) => ({
      id: s.id,
      title: s.title,
      status: s.status,
      evidence: completed.find((c) => c.stepId === s.id)?.evidence ?? [],
    })),
    stage: handoff.stage,
    // Stage progress without artifact references: those may point at private documents.
    stages: handoff.stages.map((st) => ({
      id: st.id,
      artifact: st.artifact ? st.artifact.kind : null,
      gate: `${st.gate.kind}: ${st.gate.status}`,
    })),
    blockers: handoff.blockers,
    openExceptions: handoff.openExceptions.map((e) => ({
      code: e.code,
      owner: e.owner,
      dueAt: e.dueAt,
      stepId: e.stepId,
    })),
    waitingFor: handoff.pendingApprovals.map((a) => ({
      what: `${a.kind} approval${a.status === 'conditional' ? ' (conditions open)' : ''}`,
      owner: a.owner,
    })),
    // A closed work order has no next move and nobody who decides one.
    nextMoves: closed ? [] : [handoff.nextAction],
    whoDecidesNext: closed ? null : handoff.nextOwner,
    closure: handoff.closure,
  };
  return maskStrings(page);
}

/** What became of each approval a decision waited for: the last word recorded on the work order. */
function approvalOutcomes(
  events: RecordedEvent[],
): Map<string, NonNullable<DeliveryPage['decisions'][number]['outcome']>> {
  const outcomes = new Map<string, NonNullable<DeliveryPage['decisions'][number]['outcome']>>();
  for (const e of events) {
    const resolved = eventOf(e, 'workorder', WorkOrderEvents.ApprovalResolved);
    const conditional = eventOf(e, 'workorder', WorkOrderEvents.ApprovalConditional);
    if (resolved) {
      const d = resolved.data;
      outcomes.set(d.approvalId, { status: d.outcome, at: e.occurredAt, ...(d.decidedBy ? { by: d.decidedBy } : {}) });
    } else if (conditional) {
      const d = conditional.data;
      outcomes.set(d.approvalId, {
        status: 'conditional',
        at: e.occurredAt,
        openConditions: d.openConditions.length,
        ...(d.decidedBy ? { by: d.decidedBy } : {}),
      });
    }
  }
  return outcomes;
}

/** The decisions of a work order in the order they were made, each with its receipt; strings masked as on the delivery page. */
export function decisionRecords(events: RecordedEvent[]): DecisionRecord[] {
  return events
    .map((e) => eventOf(e, 'workorder', WorkOrderEvents.ActionDecided))
    .filter((e) => e !== undefined)
    .map((e) => {
      const d = e.data;
      return maskStrings({
        receiptId: e.eventId,
        actionId: d.actionId,
        at: e.occurredAt,
        action: d.action,
        facts: d.facts,
        decision: d.decision.decision,
        reason: d.decision.reason,
        message: d.decision.message,
        rule: d.decision.rule,
        decisionOwner: d.decision.decisionOwner,
        policy: d.decision.policy,
        ...(d.approvalId ? { approvalId: d.approvalId } : {}),
      });
    });
}
