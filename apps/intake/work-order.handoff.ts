import { ORIGINAL_SCOPE, WorkflowDefinition, WorkOrderHandoff } from '@workgate/contracts';
import {
  approvalKinds,
  describeScope,
  describeStatus,
  gateOf,
  isOpen,
  maskStrings,
  WorkOrder,
  openBlockers,
  scopeChangeTracks,
  stageOwner,
  stageRouting,
} from '@workgate/domain';

/** Unknown facts are TBD in state handoffs, never invented. */
export const TBD = 'TBD';

const known = (value: unknown): string => (typeof value === 'string' && value.trim() !== '' ? value : TBD);

/**
 * The compact state handoff of a work order (GET /v1/work-orders/:id): what the next person or
 * agent needs, and nothing invented. `stage` asks for a specific next stage instead of the
 * earliest whose artifact is missing. Any principal reads it: anything credential-shaped in the
 * free text it carries (rationales, reasons, conditions, artifact references) is masked.
 */
export function stateHandoff(state: WorkOrder, definition: WorkflowDefinition, stage?: string): WorkOrderHandoff {
  let byStage = handoffs.get(state);
  if (!byStage) handoffs.set(state, (byStage = new Map<string, WorkOrderHandoff>()));
  let handoff = byStage.get(stage ?? '');
  if (!handoff)
    byStage.set(stage ?? '', (handoff = deepFreeze(maskStrings(unmaskedHandoff(state, definition, stage)))));
  return handoff;
}

/**
 * Handoffs already built, by state and stage: a state is never changed (an event makes a new one)
 * and runs on one workflow version, so its handoff stays what it was; reads between two events
 * (the common case) build it once. Frozen, as every reader shares it.
 */
const handoffs = new WeakMap<WorkOrder, Map<string, WorkOrderHandoff>>();

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

function unmaskedHandoff(state: WorkOrder, definition: WorkflowDefinition, stage?: string): WorkOrderHandoff {
  const openExceptions = [...state.exceptions.values()].filter((e) => e.open).map(({ open: _open, ...e }) => e);
  const pendingApprovals = [...state.approvals.values()].filter(isOpen).map((a) => ({
    approvalId: a.approvalId,
    kind: a.kind,
    status: a.status,
    owner: a.owner,
    ...(a.source.actionId ? { actionId: a.source.actionId } : {}),
  }));
  const blocked = new Set(openExceptions.map((e) => e.stepId));
  const steps = (definition.steps ?? []).map((s) => ({
    id: s.id,
    title: s.title,
    status: state.completedSteps.has(s.id)
      ? ('completed' as const)
      : blocked.has(s.id)
        ? ('blocked' as const)
        : ('pending' as const),
    evidenceRequired: s.evidence ?? [],
  }));
  const routing = stageRouting(definition, state, stage);
  const next = nextMove(state, definition, steps, routing);
  const scopeChanges = [...state.scopeChanges.values()].map((c) => ({
    scopeChangeId: c.scopeChangeId,
    add: c.add,
    reason: c.reason,
    requestedAt: c.at,
    tracks: scopeChangeTracks(state, c.scopeChangeId),
  }));
  return {
    id: state.id,
    status: state.status,
    jobType: state.policy.jobType,
    workflow: { title: definition.title, version: state.policy.version, sha256: state.policy.sha256 },
    client: known(state.inputs.client),
    project: known(state.inputs.project),
    source: state.source,
    externalRef: state.externalRef,
    owner: state.owner,
    stage: routing.current?.stage.id ?? TBD,
    nextStage: routing.next?.stage.id ?? TBD,
    stages: routing.progress.map((p) => ({
      id: p.stage.id,
      artifact: p.artifact ? { kind: p.artifact.kind, ref: p.artifact.ref, recordedAt: p.artifact.at } : null,
      gate: {
        kind: p.stage.gate,
        status: describeStatus(p.gate),
        owner: p.gate?.owner ?? stageOwner(definition, p.stage),
        ...(p.gate ? { approvalId: p.gate.approvalId } : {}),
      },
    })),
    approvals: approvalsByKind(state, definition),
    pendingApprovals,
    prerequisites: state.prerequisites,
    steps,
    openExceptions,
    scopeChanges,
    blockers: state.status === 'closed' ? [] : openBlockers(state, definition),
    openQuestions: openQuestions(state),
    artifacts: routing.progress
      .filter((p) => p.artifact)
      .map((p) => ({ stageId: p.stage.id, kind: p.artifact!.kind, ref: p.artifact!.ref })),
    nextAction: next.action,
    nextOwner: next.owner,
    closure:
      state.status === 'closed' ? { at: state.closure.at, evidenceMissing: state.closure.evidenceMissing } : null,
    reopened: state.reopened,
  };
}

/** Every kind the workflow names, and any other kind asked for, as it stands in the original scope. */
function approvalsByKind(state: WorkOrder, definition: WorkflowDefinition): Record<string, string> {
  const kinds = new Set(approvalKinds(definition));
  for (const a of state.approvals.values()) if (a.scope === ORIGINAL_SCOPE) kinds.add(a.kind);
  return Object.fromEntries([...kinds].map((kind) => [kind, describeStatus(gateOf(state, kind, ORIGINAL_SCOPE))]));
}

/** What someone has to answer before the work can go on: open conditions, scope changes awaiting a decision, missing inputs. */
function openQuestions(state: WorkOrder): string[] {
  const questions: string[] = [];
  for (const p of state.prerequisites) if (!p.ok) questions.push(`${p.name}: ${p.reason ?? 'missing'}`);
  for (const a of state.approvals.values()) {
    if (a.status === 'conditional' && a.scope === ORIGINAL_SCOPE)
      questions.push(`${a.kind}: ${a.openConditions.join('; ')} open (${a.owner})`);
  }
  for (const c of state.scopeChanges.values()) {
    const waiting = scopeChangeTracks(state, c.scopeChangeId).filter((t) => t.status !== 'approved');
    if (waiting.length)
      questions.push(
        `should ${c.add.map(describeScope).join(', ')} join the approved scope (${c.reason})? ${waiting.map((t) => `${t.kind}: ${t.owner}`).join(', ')}`,
      );
  }
  return questions;
}

function nextMove(
  state: WorkOrder,
  definition: WorkflowDefinition,
  steps: Array<{ id: string; title: string; status: string }>,
  routing: ReturnType<typeof stageRouting>,
) {
  if (state.status === 'closed') return { action: 'none: closed', owner: TBD };
  if (state.status === 'stopped') return { action: `reopen: stopped (${state.stopReason})`, owner: state.owner };
  const exception = [...state.exceptions.values()].find((e) => e.open);
  if (exception) return { action: `resolve exception ${exception.code}`, owner: exception.owner };
  const approval = [...state.actions.values()].find((a) => a.pending);
  if (approval)
    return {
      action: `decide approval ${approval.approvalId}`,
      owner: state.approvals.get(approval.approvalId!)?.owner ?? definition.owner,
    };
  const stageMove = nextStageMove(routing);
  if (stageMove) return stageMove;
  // An overlay's gate or a scope change's track someone still has to decide.
  const gate = [...state.approvals.values()].find((a) => !a.source.actionId && isOpen(a));
  if (gate) {
    const what = `the ${gate.kind} approval ${gate.approvalId}${gate.scope === ORIGINAL_SCOPE ? '' : ` for ${describeScope(gate.action)}`}`;
    return {
      action: gate.status === 'conditional' ? `close ${gate.openConditions.join('; ')} on ${what}` : `decide ${what}`,
      owner: gate.owner,
    };
  }
  const step = steps.find((s) => s.status !== 'completed');
  if (step) return { action: `complete step ${step.id}: ${step.title}`, owner: TBD };
  return { action: 'close with closure evidence', owner: state.owner };
}

/** The move that advances the lifecycle: record the current stage's artifact, get its gate decided, or close its conditions. */
function nextStageMove({
  current,
  next,
}: ReturnType<typeof stageRouting>): { action: string; owner: string } | undefined {
  if (!current) return undefined;
  const then =
    next && next.stage.id !== current.stage.id
      ? `, then record the ${next.stage.artifact} for stage ${next.stage.id}`
      : '';
  if (!current.artifact)
    return { action: `record the ${current.stage.artifact} for stage ${current.stage.id}`, owner: TBD };
  const gate = current.gate;
  if (gate?.status === 'conditional')
    return {
      action: `close ${gate.openConditions.join('; ')} on the ${gate.kind} approval ${gate.approvalId}${then}`,
      owner: gate.owner,
    };
  if (gate?.status === 'requested')
    return {
      action: `decide the ${gate.kind} approval ${gate.approvalId} for stage ${current.stage.id}${then}`,
      owner: gate.owner,
    };
  if (gate?.status === 'approved')
    return next ? { action: `record the ${next.stage.artifact} for stage ${next.stage.id}`, owner: TBD } : undefined;
  return {
    action: `record a revised ${current.stage.artifact} for stage ${current.stage.id} (its ${current.stage.gate} gate was ${gate?.status ?? 'not requested'})`,
    owner: TBD,
  };
}
