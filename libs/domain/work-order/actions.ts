import {
  ActionRequest,
  CommandMeta,
  DecisionReason,
  DecisionResult,
  Facts,
  GateRequestedData,
  ORIGINAL_SCOPE,
  RequestActionDto,
  refuse,
} from '@workgate/contracts';
import { CompiledWorkflow, decide } from '@workgate/workflow';
import { deterministicUuid } from '../ids';
import { rollbackNoteEvidence } from './rollback-note';
import { active, recorder, WorkOrderContext } from './context';
import { workOrderFacts } from './handoff';
import {
  approvedAddedScope,
  describeScope,
  describeStatus,
  gateAction,
  gateOf,
  isOpen,
  overlayOwner,
  scopeChangeFor,
  tracksFor,
} from './lifecycle';
import {
  type ActiveWorkOrder,
  requestSha256,
  type ToolApproval,
  type WorkOrder,
  type WorkOrderEvent,
} from './work-order.state';

/** The one verdict on an action request, and what it asks for. */
export interface Verdict {
  decision: DecisionResult;
  /** `wait`: the approval it asks for; a hold: the approval that must approve first. */
  approvalId?: string;
  /** The approval the verdict asks for now: a `wait`'s, or an overlay's gate nobody was asked for yet. */
  gate?: GateRequestedData;
  /** The scope change the action belongs to (absent: the original scope). */
  scope?: string;
  /** `approved`: the earlier approval of a tool call that covers this one. */
  coveredBy?: string;
}

/** The failed prerequisite that blocks the work order's writes (docs/policy.md, Deciding). */
function blockingPrerequisite(wo: WorkOrder) {
  for (const x of wo.exceptions.values()) if (x.open && x.code === 'PREREQ_MISSING') return x;
  return undefined;
}

/**
 * Decides an action request once, over the workflow version the work order runs on, first hit wins:
 * 0. a write while a failed prerequisite blocks the work order stops (`work_order_blocked`);
 * then an action in a scope change's added scope stops until every track of that change is
 * approved (`scope_not_approved`); then the boundary and the rules decide (`libs/workflow`); an
 * overlay that applies to an action they let through stops it until the overlay's gate is
 * approved for the action's scope (`gate_not_approved`), asking for that gate when nobody was asked
 * yet; a `wait` asks its rule's gate owner for an approval.
 */
export function decideAction(
  workflow: CompiledWorkflow,
  wo: ActiveWorkOrder,
  action: ActionRequest,
  facts: Facts,
  meta: CommandMeta,
  actionId: string,
): Verdict {
  const boundaryAndRules = decide(workflow, {
    action,
    facts,
    workOrder: workOrderFacts(wo),
    addedScope: approvedAddedScope(wo),
  });
  const stop = (reason: DecisionReason, message: string, owner: string, rule: string | null): DecisionResult => ({
    ...boundaryAndRules,
    decision: 'stop',
    reason,
    message,
    rule,
    decisionOwner: owner,
  });

  const blocked = action.kind === 'write' ? blockingPrerequisite(wo) : undefined;
  if (blocked) {
    // The exception's rationale stays out: a decision's message reaches the delivery page and webhooks.
    const message = `work order ${wo.id} is blocked by a failed prerequisite (${blocked.code}, exception ${blocked.exceptionId}); writes stop until ${blocked.owner} resolves it`;
    return { decision: stop('work_order_blocked', message, blocked.owner, null) };
  }

  const change = scopeChangeFor(wo, action);
  const scope = change ? { scope: change.scopeChangeId } : {};
  if (change) {
    const tracks = tracksFor(wo, change, action);
    const unapproved =
      tracks.find((t) => t.status === 'rejected' || t.status === 'expired') ??
      tracks.find((t) => t.status !== 'approved');
    if (unapproved) {
      const waits = isOpen(unapproved)
        ? `waits on ${unapproved.kind} approval ${unapproved.approvalId}, ${describeStatus(unapproved)} (${unapproved.owner} decides)`
        : `was refused: ${unapproved.kind} approval ${unapproved.approvalId} ${unapproved.status} (${unapproved.owner}); ask again with a new scope change`;
      const message = `${describeScope(action)} is outside the approved scope: scope change ${change.scopeChangeId} ${waits}`;
      return {
        decision: stop('scope_not_approved', message, unapproved.owner, null),
        approvalId: unapproved.approvalId,
        ...scope,
      };
    }
  }
  if (boundaryAndRules.decision === 'stop') return { decision: boundaryAndRules, ...scope };

  const { definition, policy } = workflow;
  const gateScope = change?.scopeChangeId ?? ORIGINAL_SCOPE;
  for (const id of boundaryAndRules.overlays ?? []) {
    const overlay = (definition.overlays ?? []).find((o) => o.id === id);
    if (!overlay) continue;
    // Only gates cover an overlay; in a scope change, only a gate for this action class.
    const gate = gateOf(wo, overlay.gate, gateScope, { gatesOnly: true, ...(change ? { action } : {}) });
    if (gate?.status === 'approved') continue;
    if (gate && (isOpen(gate) || gate.status === 'rejected')) {
      // A refused gate stays refused (asking again on every attempt would only pester its owner).
      const message = `overlay ${overlay.id} applies: the ${overlay.gate} gate is ${describeStatus(gate)} (approval ${gate.approvalId}, ${gate.owner} ${gate.status === 'rejected' ? 'refused it' : 'decides'})`;
      return {
        decision: stop('gate_not_approved', message, gate.owner, overlay.id),
        approvalId: gate.approvalId,
        ...scope,
      };
    }
    const owner = overlayOwner(definition, overlay);
    const opens: GateRequestedData = {
      workOrderId: wo.id,
      approvalId: deterministicUuid(meta.commandId, 'gate', overlay.id),
      kind: overlay.gate,
      owner,
      scope: gateScope,
      source: { overlayId: overlay.id, ...(change ? { scopeChangeId: change.scopeChangeId } : {}) },
      action: change
        ? { system: action.system, operation: action.operation, kind: action.kind }
        : gateAction(overlay.gate, { overlayId: overlay.id }),
      policy,
      ...(overlay.approvals ? { approvals: overlay.approvals } : {}),
    };
    const message = `overlay ${overlay.id} applies: the ${overlay.gate} gate is ${describeStatus(gate)}; approval ${opens.approvalId} is requested from ${owner}`;
    return {
      decision: stop('gate_not_approved', message, owner, overlay.id),
      approvalId: opens.approvalId,
      gate: opens,
      ...scope,
    };
  }

  if (boundaryAndRules.decision !== 'wait') return { decision: boundaryAndRules, ...scope };
  // A tool call an approval given earlier covers runs: its exact arguments (once), or the tool as a whole.
  const covering = action.argumentsSha256 ? coveringApproval(wo, action, facts, boundaryAndRules) : undefined;
  if (covering) {
    const what = covering.argumentsSha256 ? 'this exact call' : `every ${action.system} ${action.operation} call`;
    const message = `${describeScope(action)} runs: approval ${covering.approvalId} by ${covering.decidedBy ?? 'its owner'} permitted ${what}`;
    return {
      decision: { ...boundaryAndRules, decision: 'run', reason: 'approved', message, decisionOwner: null },
      coveredBy: covering.approvalId,
      ...scope,
    };
  }
  const rule = (definition.rules ?? []).find((r) => r.id === boundaryAndRules.rule);
  const approvalId = deterministicUuid(meta.commandId, 'approval');
  const gate: GateRequestedData = {
    workOrderId: wo.id,
    approvalId,
    kind: rule?.gate ?? rule?.id ?? 'approval',
    owner: boundaryAndRules.decisionOwner ?? 'unknown',
    scope: gateScope,
    source: { actionId },
    action: {
      system: action.system,
      operation: action.operation,
      kind: action.kind,
      ...(action.objects ? { objects: action.objects } : {}),
      ...(action.argumentsSha256 ? { argumentsSha256: action.argumentsSha256 } : {}),
    },
    policy,
    ...(rule?.approvals ? { approvals: rule.approvals } : {}),
  };
  return { decision: boundaryAndRules, approvalId, gate, ...scope };
}

/**
 * An action request: its verdict recorded as ActionDecided (the request with its facts, the work
 * order as the rules saw it, the decision), after the gate it asks for; the approval that gate
 * opens starts in the same commit, so its id can be decided at once.
 */
export function requestAction(body: RequestActionDto, state: WorkOrder, ctx: WorkOrderContext): WorkOrderEvent[] {
  const wo = active(state);
  const { definition } = ctx.workflow;
  if (body.stepId !== undefined && !(definition.steps ?? []).some((s) => s.id === body.stepId)) {
    throw refuse('unknown_step', `${definition.jobType} v${definition.version} has no step "${body.stepId}"`);
  }
  const actionId = deterministicUuid(ctx.meta.commandId, 'action');
  const action: ActionRequest = {
    system: body.system,
    operation: body.operation,
    kind: body.kind,
    ...(body.objects ? { objects: body.objects } : {}),
    ...(body.stepId ? { stepId: body.stepId } : {}),
    ...(body.argumentsSha256 ? { argumentsSha256: body.argumentsSha256 } : {}),
  };
  const facts = body.facts ?? {};
  // The note decides (a system may require one) but is recorded apart from the action, as private evidence.
  const asked = body.rollbackNote === undefined ? action : { ...action, rollbackNote: body.rollbackNote };
  const verdict = decideAction(ctx.workflow, wo, asked, facts, ctx.meta, actionId);
  const evidence = rollbackNoteEvidence(body.rollbackNote, actionId);
  const addedScope = approvedAddedScope(wo);
  const event = recorder(ctx.meta);
  // A wait's gate and an overlay's gate keep the event indexes they always had: a command retried
  // across versions records the same events.
  const gates = verdict.gate ? [event('GateRequested', verdict.gate, verdict.gate.source.actionId ? 3 : 2)] : [];
  const decided = event(
    'ActionDecided',
    {
      actionId,
      workOrderId: wo.id,
      action,
      facts,
      workOrder: workOrderFacts(wo),
      decision: verdict.decision,
      ...(verdict.approvalId ? { approvalId: verdict.approvalId } : {}),
      ...(verdict.gate?.source.actionId ? { gate: verdict.gate.kind } : {}),
      ...(verdict.scope ? { scope: verdict.scope } : {}),
      ...(addedScope.length ? { addedScope } : {}),
      ...(verdict.coveredBy ? { coveredBy: verdict.coveredBy } : {}),
      ...(evidence.length ? { evidence } : {}),
    },
    1,
  );
  // ActionDecided is the command's last event: a retry is answered from it.
  const events = [...gates, decided];
  return events;
}

/**
 * The unused approval of this exact call (same arguments, facts and objects), else an approval of
 * the tool as a whole, if the work order holds one that the same rule held for the same owner: an
 * approval never covers a call another rule sends to someone else.
 */
function coveringApproval(
  wo: ActiveWorkOrder,
  action: ActionRequest,
  facts: Facts,
  held: DecisionResult,
): ToolApproval | undefined {
  const same = [...wo.toolApprovals.values()].filter(
    (t) =>
      t.system === action.system &&
      t.operation === action.operation &&
      t.kind === action.kind &&
      t.rule === (held.rule ?? null) &&
      t.owner === (held.decisionOwner ?? null),
  );
  const exact = same.find(
    (t) =>
      t.argumentsSha256 === action.argumentsSha256 &&
      !t.used &&
      t.requestSha256 === requestSha256(facts, action.objects),
  );
  return exact ?? same.find((t) => t.argumentsSha256 === undefined);
}
