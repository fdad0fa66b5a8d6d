import {
  ActionScope,
  ApprovalStatus,
  GateSource,
  ORIGINAL_SCOPE,
  Overlay,
  ScopeChangeTrack,
  Stage,
  WorkflowDefinition,
} from '@workgate/contracts';

/**
 * Lifecycle stages, overlays and scope changes (docs/lifecycle.md, Lifecycle stages, overlays and scope changes) as the work order sees them: every
 * approval of the work order with its kind and scope, the stages' artifacts, the scope changes.
 * Pure helpers over that state; the work-order decider uses them to refuse or stop, the state
 * handoff to describe.
 */

/** An approval of the work order: one an action waits for, a gate, or a scope change's track. */
export interface ApprovalRecord {
  approvalId: string;
  kind: string;
  owner: string;
  /** `original`, or the scope change whose added scope it approves. */
  scope: string;
  status: ApprovalStatus;
  openConditions: string[];
  /** The approval stream version the open conditions reflect (updates may arrive out of order). */
  conditionsVersion?: number;
  action: ActionScope;
  source: GateSource;
}

export interface ArtifactRecord {
  kind: string;
  ref: string;
  at: string;
}

export interface ScopeChangeRecord {
  scopeChangeId: string;
  add: ActionScope[];
  reason: string;
  tracks: ScopeChangeTrack[];
  at: string;
}

/** A work order's collections are never changed in place: an event that changes one makes a new one (so empty ones can be shared). */
export interface LifecycleState {
  approvals: ReadonlyMap<string, ApprovalRecord>;
  artifacts: ReadonlyMap<string, ArtifactRecord>;
  scopeChanges: ReadonlyMap<string, ScopeChangeRecord>;
}

/** The same action class: system and operation, whatever kind the caller declares (a "read" of a write operation is still it). */
export const sameClass = (a: ActionScope, b: ActionScope) => a.system === b.system && a.operation === b.operation;

/** The action classes of a scope change, each once (the first kind given wins). */
export function distinctClasses(add: ActionScope[]): ActionScope[] {
  return add
    .filter((item, i) => add.findIndex((o) => sameClass(o, item)) === i)
    .map(({ system, operation, kind }) => ({ system, operation, kind }));
}

export const describeScope = (s: ActionScope) => `${s.kind} ${s.system} ${s.operation}`;

/**
 * What a gate approval's approver names as the permitted action: the gate itself, not any one
 * action; a stage's gate also names the artifact it approves (`objects: ["artifact:<ref>"]`).
 */
export function gateAction(
  gate: string,
  source: { stageId?: string; overlayId?: string },
  artifactRef?: string,
): ActionScope & { objects?: string[] } {
  return {
    system: 'lifecycle',
    operation: `${source.stageId ?? source.overlayId}.${gate}`,
    kind: 'write',
    ...(artifactRef ? { objects: [`artifact:${artifactRef}`] } : {}),
  };
}

export const stageOwner = (definition: WorkflowDefinition, stage: Stage) => stage.owner ?? definition.owner;
export const overlayOwner = (definition: WorkflowDefinition, overlay: Overlay) => overlay.owner ?? definition.owner;

/**
 * The approval that speaks for a kind in a scope: the latest one asked for (a later refusal takes
 * back an earlier approval). `gatesOnly` leaves out approvals of single waiting actions: only gates
 * cover an overlay. `action` narrows a scope change's gates to that action class.
 */
export function gateOf(
  state: LifecycleState,
  kind: string,
  scope: string,
  options: { gatesOnly?: boolean; action?: ActionScope } = {},
): ApprovalRecord | undefined {
  let latest: ApprovalRecord | undefined;
  for (const a of state.approvals.values()) {
    if (a.kind !== kind || a.scope !== scope) continue;
    if (options.gatesOnly && a.source.actionId) continue;
    if (options.action && !sameClass(a.action, options.action)) continue;
    latest = a;
  }
  return latest;
}

/** The latest gate approval a stage's artifact opened. */
export function stageGate(state: LifecycleState, stage: Stage): ApprovalRecord | undefined {
  let found: ApprovalRecord | undefined;
  for (const a of state.approvals.values()) if (a.source.stageId === stage.id) found = a;
  return found;
}

export const isOpen = (a: ApprovalRecord | undefined) => a?.status === 'requested' || a?.status === 'conditional';

/** `approved`, `conditional (R-03 open)`, `requested`, `rejected`, `expired`; `unknown` when never requested. */
export function describeStatus(a: ApprovalRecord | undefined): string {
  if (!a) return 'unknown';
  if (a.status === 'conditional') return `conditional (${a.openConditions.join('; ')} open)`;
  return a.status;
}

/** Every approval kind a definition names: stage gates, overlay gates, what its waiting rules ask for. */
export function approvalKinds(definition: WorkflowDefinition): string[] {
  const kinds = [
    ...(definition.stages ?? []).map((s) => s.gate),
    ...(definition.overlays ?? []).map((o) => o.gate),
    ...(definition.rules ?? []).filter((r) => r.decision === 'wait').map((r) => r.gate ?? r.id),
  ];
  return [...new Set(kinds)];
}

/** Policy reasons meaning "outside the declared boundary": only such an action class can a scope change add. */
export const BOUNDARY_REASONS: ReadonlySet<string> = new Set([
  'system_not_named',
  'read_not_allowed',
  'write_not_allowed',
]);

/** The newest scope change that adds this action's class. */
export function scopeChangeFor(state: LifecycleState, action: ActionScope): ScopeChangeRecord | undefined {
  let found: ScopeChangeRecord | undefined;
  for (const c of state.scopeChanges.values()) if (c.add.some((a) => sameClass(a, action))) found = c;
  return found;
}

/** A scope change's approvals for one added class, in the order they were opened. */
export function tracksFor(state: LifecycleState, change: ScopeChangeRecord, item: ActionScope): ApprovalRecord[] {
  return change.tracks
    .filter((t) => sameClass(t.item, item))
    .map((t) => state.approvals.get(t.approvalId)!)
    .filter(Boolean);
}

/** A scope change that can still pass for this class: none of its tracks refused, not all approved yet. */
export function awaitingApproval(tracks: ApprovalRecord[]): boolean {
  return (
    tracks.length > 0 && tracks.every((t) => t.status !== 'rejected' && t.status !== 'expired') && tracks.some(isOpen)
  );
}

/** Added scope whose every track is approved: inside the boundary for this work order. */
export function approvedAddedScope(state: LifecycleState): ActionScope[] {
  const added: ActionScope[] = [];
  for (const c of state.scopeChanges.values()) {
    for (const item of c.add) {
      const tracks = tracksFor(state, c, item);
      if (tracks.length && tracks.every((t) => t.status === 'approved')) added.push(item);
    }
  }
  return added;
}

/** Why an approval still holds something up, in a sentence an owner can act on. */
export function approvalBlocker(a: ApprovalRecord): string {
  const what =
    a.scope === ORIGINAL_SCOPE
      ? `${a.kind} approval ${a.approvalId}`
      : `${a.kind} approval ${a.approvalId} for ${describeScope(a.action)}`;
  if (a.status === 'conditional')
    return `${what} is conditional: ${a.openConditions.join('; ')} open (${a.owner} closes)`;
  if (a.status === 'requested') return `${what} is requested: ${a.owner} decides`;
  return `${what} was ${a.status}`;
}

/**
 * Stage routing: the current stage is the earliest whose gate is not approved; the next is the
 * earliest whose artifact is missing (unless the caller asks for one).
 */
export function stageRouting(definition: WorkflowDefinition, state: LifecycleState, requested?: string) {
  const stages = definition.stages ?? [];
  const progress = stages.map((stage) => ({
    stage,
    artifact: state.artifacts.get(stage.id),
    gate: stageGate(state, stage),
  }));
  const current = progress.find((p) => p.gate?.status !== 'approved') ?? progress[progress.length - 1];
  const next = requested ? progress.find((p) => p.stage.id === requested) : progress.find((p) => !p.artifact);
  return { progress, current, next };
}

/** The first earlier stage whose gate is not approved: a stage cannot be entered before it passes. */
export function pendingEarlierGate(definition: WorkflowDefinition, state: LifecycleState, stageId: string) {
  const stages = definition.stages ?? [];
  const index = stages.findIndex((s) => s.id === stageId);
  for (const stage of stages.slice(0, Math.max(0, index))) {
    const gate = stageGate(state, stage);
    if (gate?.status !== 'approved') return { stage, gate };
  }
  return undefined;
}
