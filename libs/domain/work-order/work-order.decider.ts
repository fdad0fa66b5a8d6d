import {
  ActionDecidedData,
  ActionScope,
  ApprovalConditionalData,
  ApprovalResolvedData,
  ArtifactAnswer,
  GateRequestedData,
  GateView,
  ORIGINAL_SCOPE,
  ScopeChangeRequestedData,
  ScopeChangeTrack,
  StageArtifactRecordedData,
  BreakGlassUsedData,
  CommandMeta,
  WorkOrderExceptionClosedData,
  WorkOrderExceptionRaisedData,
  WorkOrderStoppedData,
  DecisionResult,
  Evidence,
  ExceptionRef,
  PolicyRef,
  PrerequisiteCheck,
  StepBlockedData,
  StepCompletedData,
  WorkflowDefinition,
  WorkOrderAnswer,
  WorkOrderClosedData,
  WorkOrderClosureReportedData,
  WorkOrderCommand,
  WorkOrderEvents,
  WorkOrderOpenedData,
  WorkOrderReopenedData,
  WorkOrderStatus,
  refuse,
} from '@workgate/contracts';
import { deterministicUuid } from '../ids';
import {
  ApprovalRecord,
  approvalBlocker,
  approvedAddedScope,
  awaitingApproval,
  describeScope,
  describeStatus,
  gateAction,
  gateOf,
  isOpen,
  LifecycleState,
  overlayOwner,
  pendingEarlierGate,
  distinctClasses,
  scopeChangeFor,
  stageGate,
  stageOwner,
  tracksFor,
} from './lifecycle';

/** A catalog entry as the decider needs it. */
export interface CatalogEntry {
  owner: string;
  /** ISO 8601 duration. */
  sla: string;
}

/** What a command is decided with: the work order's definition version, the catalog, and (for actions) the policy's decision. */
export interface DecisionContext {
  workOrderId: string;
  definition: WorkflowDefinition;
  policy: PolicyRef;
  catalog: ReadonlyMap<string, CatalogEntry>;
  /** Milliseconds in an ISO 8601 duration (injected so the domain stays free of parsing choices). */
  durationMs: (iso: string) => number | undefined;
  decision?: DecisionResult;
  /**
   * `change-scope`: per distinct added class (`distinctClasses`), whether the policy stops it at
   * the boundary (only such a class can be added) and the overlays that apply to it.
   */
  scopeItems?: Array<{ outsideBoundary: boolean; overlays: string[] }>;
}

export interface WorkOrderEvent<T = unknown> {
  type: string;
  eventId: string;
  data: T;
  metadata: { commandId: string; actor: string; channel: string };
  occurredAt: string;
}

interface ExceptionState extends ExceptionRef {
  open: boolean;
}

interface ActionState {
  decision: DecisionResult['decision'];
  /** The approval a `wait` opened. */
  approvalId?: string;
  /** A `wait` is pending until its approval is decided (approvals service). */
  pending: boolean;
}

export interface OpenState extends LifecycleState {
  status: WorkOrderStatus;
  id: string;
  source: string;
  externalRef: string;
  policy: PolicyRef;
  owner: string;
  inputs: Record<string, unknown>;
  prerequisites: PrerequisiteCheck[];
  completedSteps: ReadonlyMap<string, Evidence[]>;
  exceptions: ReadonlyMap<string, ExceptionState>;
  actions: ReadonlyMap<string, ActionState>;
  reopened: number;
  closure?: { evidenceMissing: boolean; at: string };
  /** Why it was stopped (status `stopped`). */
  stopReason?: string;
  /** commandId -> what its answering event holds of the answer, so a retried command answers as the first time. */
  handled: ReadonlyMap<string, AnsweredBy>;
}

/** Of a command's answering event, what `answerOf` reads. */
export type AnsweredBy = Pick<WorkOrderEvent, 'type' | 'eventId' | 'data'>;

/**
 * What a work order keeps of the event that answered a command: an opening's and a decision's
 * answer fields only, not the inputs, action, facts and work-order snapshot they record (every
 * cached work order kept them alive otherwise, and each was copied out of V8's young generation).
 */
export function answeredBy(e: WorkOrderEvent): AnsweredBy {
  switch (e.type) {
    case WorkOrderEvents.Opened: {
      const { workOrderId, status, prerequisites, exceptions } = e.data as WorkOrderOpenedData;
      return { type: e.type, eventId: e.eventId, data: { workOrderId, status, prerequisites, exceptions } };
    }
    case WorkOrderEvents.ActionDecided: {
      const { actionId, decision, approvalId } = e.data as ActionDecidedData;
      return { type: e.type, eventId: e.eventId, data: approvalId ? { actionId, decision, approvalId } : { actionId, decision } };
    }
    default:
      return { type: e.type, eventId: e.eventId, data: e.data };
  }
}

export type WorkOrderState = { status: 'none' } | OpenState;

export const initialWorkOrderState = (): WorkOrderState => ({ status: 'none' });


function isEmpty(value: unknown): boolean {
  return value === undefined || value === null || (typeof value === 'string' && value.trim() === '');
}

function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * What a failed prerequisite says it got: a boolean as it is, anything else only by its type. The
 * reason is shown in the state handoff and the PREREQ_MISSING rationale, and an input may carry a secret.
 */
function describeGiven(value: unknown): string {
  if (typeof value === 'boolean') return String(value);
  return Array.isArray(value) ? 'a list' : typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/** The prerequisite checks of a definition against the inputs given when opening. */
export function checkPrerequisites(definition: WorkflowDefinition, inputs: Record<string, unknown>): PrerequisiteCheck[] {
  return (definition.requiredInputs ?? []).map(({ name, equals }) => {
    const value = inputs[name];
    if (isEmpty(value)) return { name, ok: false, reason: `${name} is missing` };
    if (equals !== undefined && !sameValue(value, equals)) {
      return { name, ok: false, reason: `${name} must be ${JSON.stringify(equals)}, got ${describeGiven(value)}` };
    }
    return { name, ok: true };
  });
}

function raise(ctx: DecisionContext, meta: CommandMeta, code: string, stepId: string | null, rationale: string): ExceptionRef {
  const entry = ctx.catalog.get(code);
  if (!entry) throw refuse('unknown_exception_code', `"${code}" is not in the exception-code catalog`);
  const dueAt = new Date(Date.parse(meta.now) + (ctx.durationMs(entry.sla) ?? 0)).toISOString();
  return { exceptionId: deterministicUuid('exception', meta.commandId, code), code, owner: entry.owner, dueAt, stepId, rationale };
}

/** What still stands in the way of closing. */
export function openBlockers(state: OpenState, definition: WorkflowDefinition): string[] {
  const blockers: string[] = [];
  for (const e of state.exceptions.values()) if (e.open) blockers.push(`exception ${e.code} (${e.exceptionId}) is open`);
  for (const [actionId, a] of state.actions) if (a.pending) blockers.push(`approval ${a.approvalId} for action ${actionId} is pending`);
  for (const a of state.approvals.values()) if (!a.source.actionId && isOpen(a)) blockers.push(approvalBlocker(a));
  for (const step of definition.steps ?? []) if (!state.completedSteps.has(step.id)) blockers.push(`step ${step.id} is not completed`);
  return blockers;
}

function missingKinds(required: string[] | undefined, evidence: Evidence[]): string[] {
  const given = new Set(evidence.map((e) => e.kind));
  return (required ?? []).filter((k) => !given.has(k));
}

/**
 * Decides a work-order command against the current state: refuses with a stable code, or
 * returns the events to record. Pure: time comes in `meta.now`, the definition, catalog and
 * policy decision in `ctx`; event ids derive from the command id, so a retry records nothing new.
 */
export function decideWorkOrder(command: WorkOrderCommand, state: WorkOrderState, meta: CommandMeta, ctx: DecisionContext): WorkOrderEvent[] {
  if (state.status !== 'none' && state.handled.has(meta.commandId)) return [];
  const event = <T>(type: string, data: T, i = 0): WorkOrderEvent<T> => ({
    type,
    eventId: deterministicUuid(meta.commandId, type, String(i)),
    data,
    metadata: { commandId: meta.commandId, actor: meta.actor, channel: meta.channel },
    occurredAt: meta.now,
  });
  const def = ctx.definition;

  if (command.type === 'open') {
    if (state.status !== 'none') throw refuse('work_order_exists', `work order ${state.id} already exists for ${state.source}/${state.externalRef}`, [{ id: state.id }]);
    const b = command.body;
    const prerequisites = checkPrerequisites(def, b.inputs);
    const failed = prerequisites.filter((p) => !p.ok);
    const exceptions = failed.length ? [raise(ctx, meta, 'PREREQ_MISSING', null, failed.map((p) => p.reason).join('; '))] : [];
    const data: WorkOrderOpenedData = {
      workOrderId: ctx.workOrderId,
      source: b.source,
      externalRef: b.externalRef,
      policy: ctx.policy,
      owner: b.owner ?? def.owner,
      inputs: b.inputs,
      prerequisites,
      status: failed.length ? 'blocked' : 'open',
      exceptions,
    };
    // The opening lists its exceptions; each is also recorded on its own, for the exceptions
    // service to make it an owned exception (it reacts to those events alone, not to every opening).
    return [event(WorkOrderEvents.Opened, data), ...exceptions.map((x, i) => event<WorkOrderExceptionRaisedData>(WorkOrderEvents.ExceptionRaised, { workOrderId: ctx.workOrderId, ...x }, i + 1))];
  }

  if (state.status === 'none') throw refuse('not_found', 'no such work order');

  switch (command.type) {
    case 'request-action': {
      if (state.status === 'closed') throw refuse('work_order_closed', `work order ${state.id} is closed`);
      if (state.status === 'stopped') throw refuse('work_order_stopped', `work order ${state.id} is stopped: ${state.stopReason}`);
      const b = command.body;
      if (b.stepId !== undefined && !(def.steps ?? []).some((s) => s.id === b.stepId)) {
        throw refuse('unknown_step', `${def.jobType} v${def.version} has no step "${b.stepId}"`);
      }
      if (!ctx.decision) throw new Error('request-action needs the policy decision in its context');
      const actionId = deterministicUuid(meta.commandId, 'action');
      const action = { system: b.system, operation: b.operation, kind: b.kind, ...(b.objects ? { objects: b.objects } : {}), ...(b.stepId ? { stepId: b.stepId } : {}) };
      const held = holdAction(state, def, action, ctx.decision, meta, ctx.policy);
      const decision = held?.decision ?? ctx.decision;
      const addedScope = approvedAddedScope(state);
      const change = scopeChangeFor(state, action);
      const rule = decision.decision === 'wait' ? (def.rules ?? []).find((r) => r.id === decision.rule) : undefined;
      const decided: ActionDecidedData = {
        actionId,
        workOrderId: state.id,
        action,
        facts: b.facts ?? {},
        workOrder: workOrderFacts(state),
        decision,
        ...(decision.decision === 'wait' ? { approvalId: deterministicUuid(meta.commandId, 'approval'), gate: rule?.gate ?? rule?.id ?? 'approval' } : {}),
        ...(held ? { approvalId: held.approvalId, policyDecision: ctx.decision } : {}),
        ...(change ? { scope: change.scopeChangeId } : {}),
        ...(addedScope.length ? { addedScope } : {}),
      };
      const gate = held?.opens ? [event(WorkOrderEvents.GateRequested, held.opens, 2)] : [];
      // A wait asks its rule's gate owner for an approval: recorded on its own, for the approvals
      // service to open it (it reacts to gate requests alone, not to every decision).
      const waits =
        decision.decision === 'wait'
          ? [
              event<GateRequestedData>(
                WorkOrderEvents.GateRequested,
                {
                  workOrderId: state.id,
                  approvalId: decided.approvalId!,
                  kind: decided.gate!,
                  owner: decision.decisionOwner ?? 'unknown',
                  scope: change?.scopeChangeId ?? ORIGINAL_SCOPE,
                  source: { actionId },
                  action: { system: action.system, operation: action.operation, kind: action.kind, ...(action.objects ? { objects: action.objects } : {}) },
                  policy: ctx.policy,
                },
                3,
              ),
            ]
          : [];
      // One row records the request and its decision: ActionDecided carries the action and its
      // facts (ledgers of earlier versions also hold an ActionRequested before it, ignored here).
      // Its index stays 1, so a command retried across an upgrade gets the same event id. It is
      // the command's last event: a retry is answered from it.
      return [...gate, ...waits, event(WorkOrderEvents.ActionDecided, decided, 1)];
    }
    case 'record-artifact': {
      if (state.status === 'closed') throw refuse('work_order_closed', `work order ${state.id} is closed`);
      if (state.status === 'stopped') throw refuse('work_order_stopped', `work order ${state.id} is stopped: ${state.stopReason}`);
      const stage = (def.stages ?? []).find((s) => s.id === command.stageId);
      if (!stage) throw refuse('unknown_stage', `${def.jobType} v${def.version} has no stage "${command.stageId}"`);
      const { artifact, evidence } = command.body;
      if (artifact.kind !== stage.artifact) {
        throw refuse('artifact_mismatch', `stage ${stage.id} produces a ${stage.artifact}; a ${artifact.kind} is not one`, [{ stageId: stage.id, expected: stage.artifact, given: artifact.kind }]);
      }
      const earlier = pendingEarlierGate(def, state, stage.id);
      if (earlier) {
        const owner = earlier.gate?.owner ?? stageOwner(def, earlier.stage);
        throw refuse(
          'stage_gate_pending',
          `stage ${stage.id} comes after ${earlier.stage.id}, whose ${earlier.stage.gate} gate is ${describeStatus(earlier.gate)} (${owner} decides)`,
          [{ stageId: earlier.stage.id, gate: earlier.stage.gate, status: earlier.gate?.status ?? 'unknown', owner, ...(earlier.gate ? { approvalId: earlier.gate.approvalId } : {}) }],
        );
      }
      const current = stageGate(state, stage);
      if (current?.status === 'approved') throw refuse('stage_gate_approved', `stage ${stage.id} passed its ${stage.gate} gate (approval ${current.approvalId}); its artifact is final`);
      // The gate approves one artifact: a revision waits until that decision is taken (or refused).
      if (isOpen(current)) throw refuse('stage_gate_open', `stage ${stage.id}'s ${stage.gate} gate is ${describeStatus(current)} for the recorded artifact (approval ${current!.approvalId}, ${current!.owner} decides)`);
      const gate: GateRequestedData = {
        workOrderId: state.id,
        approvalId: deterministicUuid(meta.commandId, 'gate', stage.id),
        kind: stage.gate,
        owner: stageOwner(def, stage),
        scope: ORIGINAL_SCOPE,
        source: { stageId: stage.id },
        action: gateAction(stage.gate, { stageId: stage.id }, artifact.ref),
        policy: ctx.policy,
      };
      const recorded: StageArtifactRecordedData = { workOrderId: state.id, stageId: stage.id, artifact: { kind: artifact.kind, ref: artifact.ref }, evidence: evidence ?? [], gateApprovalId: gate.approvalId };
      return [event(WorkOrderEvents.GateRequested, gate, 1), event(WorkOrderEvents.StageArtifactRecorded, recorded, 0)];
    }
    case 'change-scope': {
      if (state.status === 'closed') throw refuse('work_order_closed', `work order ${state.id} is closed`);
      if (state.status === 'stopped') throw refuse('work_order_stopped', `work order ${state.id} is stopped: ${state.stopReason}`);
      const { add, reason } = command.body;
      if (isEmpty(reason)) throw refuse('validation_failed', 'a scope change needs a reason');
      const items = distinctClasses(add);
      if (!ctx.scopeItems) throw new Error("change-scope needs the policy's view of each added class in its context");
      const scopeItems = ctx.scopeItems;
      const inside = items.filter((item, i) => !scopeItems[i].outsideBoundary || isApprovedAddition(state, item));
      if (inside.length) {
        throw refuse('already_in_scope', `${inside.map(describeScope).join(', ')} ${inside.length === 1 ? 'is' : 'are'} already inside the approved scope`, inside);
      }
      const pending = items.map((item) => ({ item, change: scopeChangeFor(state, item) })).filter(({ item, change }) => change && awaitingApproval(tracksFor(state, change, item)));
      if (pending.length) {
        throw refuse('scope_change_pending', `${pending.map((p) => describeScope(p.item)).join(', ')} already ${pending.length === 1 ? 'has' : 'have'} a scope change awaiting approval`, pending.map((p) => ({ ...p.item, scopeChangeId: p.change!.scopeChangeId })));
      }
      const scopeChangeId = deterministicUuid(meta.commandId, 'scope-change');
      const tracks: ScopeChangeTrack[] = items.flatMap((item, i) => {
        const overlays = scopeItems[i].overlays.map((id) => (def.overlays ?? []).find((o) => o.id === id)).filter((o) => o !== undefined);
        const kinds = new Map<string, string>([['change-order', def.owner], ...overlays.map((o): [string, string] => [o.gate, overlayOwner(def, o)])]);
        return [...kinds].map(([kind, owner]) => ({ approvalId: deterministicUuid(meta.commandId, 'track', String(i), kind), kind, owner, item }));
      });
      const gates = tracks.map((t, i) =>
        event<GateRequestedData>(WorkOrderEvents.GateRequested, { workOrderId: state.id, approvalId: t.approvalId, kind: t.kind, owner: t.owner, scope: scopeChangeId, source: { scopeChangeId }, action: t.item, policy: ctx.policy }, i + 1),
      );
      const data: ScopeChangeRequestedData = { workOrderId: state.id, scopeChangeId, add: items, reason, tracks };
      return [...gates, event(WorkOrderEvents.ScopeChangeRequested, data, 0)];
    }
    case 'complete-step': {
      if (state.status === 'closed') throw refuse('work_order_closed', `work order ${state.id} is closed`);
      if (state.status === 'stopped') throw refuse('work_order_stopped', `work order ${state.id} is stopped: ${state.stopReason}`);
      const step = (def.steps ?? []).find((s) => s.id === command.stepId);
      if (!step) throw refuse('unknown_step', `${def.jobType} v${def.version} has no step "${command.stepId}"`);
      if (state.completedSteps.has(step.id)) throw refuse('step_already_completed', `step ${step.id} is already completed`);
      const missing = missingKinds(step.evidence, command.body.evidence);
      if (missing.length) {
        throw refuse('step_evidence_required', `step ${step.id} needs evidence of kind ${missing.join(', ')}`, missing.map((kind) => ({ kind })));
      }
      const data: StepCompletedData = { workOrderId: state.id, stepId: step.id, evidence: command.body.evidence, ...(command.body.note ? { note: command.body.note } : {}) };
      return [event(WorkOrderEvents.StepCompleted, data)];
    }
    case 'block-step': {
      if (state.status === 'closed') throw refuse('work_order_closed', `work order ${state.id} is closed`);
      if (!(def.steps ?? []).some((s) => s.id === command.stepId)) throw refuse('unknown_step', `${def.jobType} v${def.version} has no step "${command.stepId}"`);
      const { code, rationale } = command.body;
      if (!ctx.catalog.has(code)) throw refuse('unknown_exception_code', `"${code}" is not in the exception-code catalog`);
      if (!(def.exceptionCodes ?? []).includes(code)) {
        throw refuse('unknown_exception_code', `"${code}" is not allowed by ${def.jobType} v${def.version} (allowed: ${(def.exceptionCodes ?? []).join(', ') || 'none'})`);
      }
      const data: StepBlockedData = { workOrderId: state.id, ...raise(ctx, meta, code, command.stepId, rationale) };
      return [event(WorkOrderEvents.StepBlocked, data)];
    }
    case 'close': {
      if (state.status === 'closed') throw refuse('work_order_closed', `work order ${state.id} is already closed`);
      const closureEvidenceId = command.body.closureEvidenceId ?? '';
      const evidence = command.body.evidence ?? [];
      const missing = missingKinds(def.closure?.evidence, evidence);
      if (isEmpty(closureEvidenceId) || missing.length) {
        const details = [...(isEmpty(closureEvidenceId) ? [{ field: 'closureEvidenceId', message: 'is required' }] : []), ...missing.map((kind) => ({ kind, message: 'evidence of this kind is required' }))];
        throw refuse('closure_evidence_required', `closing ${state.id} needs ${isEmpty(closureEvidenceId) ? 'a closureEvidenceId' : ''}${isEmpty(closureEvidenceId) && missing.length ? ' and ' : ''}${missing.length ? `evidence of kind ${missing.join(', ')}` : ''}`, details);
      }
      const blockers = openBlockers(state, def);
      if (blockers.length) throw refuse('open_blockers', `work order ${state.id} has ${blockers.length} open blocker${blockers.length === 1 ? '' : 's'}`, blockers);
      const data: WorkOrderClosedData = { workOrderId: state.id, closureEvidenceId, evidence };
      return [event(WorkOrderEvents.Closed, data)];
    }
    case 'report-closure': {
      if (state.status === 'closed') throw refuse('work_order_closed', `work order ${state.id} is already closed`);
      const evidence = command.body.evidence ?? [];
      const data: WorkOrderClosureReportedData = {
        workOrderId: state.id,
        source: meta.channel,
        closedAt: command.body.closedAt ?? meta.now,
        ...(command.body.note ? { note: command.body.note } : {}),
        evidence,
        evidenceMissing: missingKinds(def.closure?.evidence, evidence).length > 0 || evidence.length === 0,
        openBlockers: openBlockers(state, def),
      };
      return [event(WorkOrderEvents.ClosureReported, data)];
    }
    case 'resolve-approval': {
      const { approvalId, outcome, decidedBy } = command.body;
      const record = state.approvals.get(approvalId);
      const found = [...state.actions.entries()].find(([, a]) => a.approvalId === approvalId);
      if (!record && !found) throw refuse('not_found', `work order ${state.id} has no approval ${approvalId}`);
      if (outcome === 'conditional') {
        const { openConditions = [], approvalVersion } = command.body;
        if (!record || !isOpen(record) || sameValue(record.openConditions, openConditions)) return [];
        // Condition updates travel concurrently: one older than what the work order shows is stale.
        if (approvalVersion !== undefined && record.conditionsVersion !== undefined && approvalVersion <= record.conditionsVersion) return [];
        const data: ApprovalConditionalData = { workOrderId: state.id, approvalId, openConditions, ...(decidedBy ? { decidedBy } : {}), ...(approvalVersion !== undefined ? { approvalVersion } : {}) };
        return [event(WorkOrderEvents.ApprovalConditional, data)];
      }
      if (found ? !found[1].pending : !isOpen(record)) return [];
      const data: ApprovalResolvedData = {
        workOrderId: state.id,
        ...(found ? { actionId: found[0], decision: outcome === 'approved' ? ('run' as const) : ('stop' as const) } : {}),
        approvalId,
        outcome,
        reason: outcome === 'approved' ? `approved by ${decidedBy ?? 'its owner'}` : `approval ${approvalId} ${outcome}`,
        ...(decidedBy ? { decidedBy } : {}),
      };
      return [event(WorkOrderEvents.ApprovalResolved, data)];
    }
    case 'break-glass': {
      if (state.status === 'closed') throw refuse('work_order_closed', `work order ${state.id} is closed`);
      if (state.status === 'stopped') throw refuse('work_order_stopped', `work order ${state.id} is stopped: ${state.stopReason}`);
      const bg = def.breakGlass;
      if (!bg?.allowed || !bg.postReviewDue || !bg.reviewer) throw refuse('break_glass_not_allowed', `${def.jobType} v${def.version} does not allow break-glass`);
      const { code, rationale, action } = command.body;
      if (!(def.exceptionCodes ?? []).includes(code)) {
        throw refuse('unknown_exception_code', `"${code}" is not allowed by ${def.jobType} v${def.version} (allowed: ${(def.exceptionCodes ?? []).join(', ') || 'none'})`);
      }
      if (isEmpty(rationale)) throw refuse('validation_failed', 'break-glass needs a rationale');
      const exception = raise(ctx, meta, code, action.stepId ?? null, rationale);
      const { facts, ...request } = action;
      const data: BreakGlassUsedData = {
        workOrderId: state.id,
        ...exception,
        actionId: deterministicUuid(meta.commandId, 'action'),
        action: request,
        facts: facts ?? {},
        postReviewId: deterministicUuid(meta.commandId, 'post-review'),
        reviewer: bg.reviewer,
        postReviewDueAt: new Date(Date.parse(meta.now) + (ctx.durationMs(bg.postReviewDue) ?? 0)).toISOString(),
      };
      return [event(WorkOrderEvents.BreakGlassUsed, data)];
    }
    case 'close-exception': {
      const exception = state.exceptions.get(command.body.exceptionId);
      if (!exception) throw refuse('not_found', `work order ${state.id} has no exception ${command.body.exceptionId}`);
      if (!exception.open) return [];
      const data: WorkOrderExceptionClosedData = {
        workOrderId: state.id,
        exceptionId: exception.exceptionId,
        code: exception.code,
        ...(command.body.resolvedBy ? { resolvedBy: command.body.resolvedBy } : {}),
      };
      return [event(WorkOrderEvents.ExceptionClosed, data)];
    }
    case 'stop': {
      if (state.status === 'closed' || state.status === 'stopped') return [];
      const data: WorkOrderStoppedData = { workOrderId: state.id, reason: command.body.reason, ...(command.body.ref ? { ref: command.body.ref } : {}) };
      return [event(WorkOrderEvents.Stopped, data)];
    }
    case 'reopen': {
      if (state.status !== 'closed' && state.status !== 'stopped') throw refuse('work_order_not_closed', `work order ${state.id} is neither closed nor stopped`);
      const data: WorkOrderReopenedData = { workOrderId: state.id, reason: command.body.reason };
      return [event(WorkOrderEvents.Reopened, data)];
    }
    default: {
      const never: never = command;
      throw new Error(`unknown command ${JSON.stringify(never)}`);
    }
  }
}

function isApprovedAddition(state: OpenState, item: ActionScope): boolean {
  const change = scopeChangeFor(state, item);
  if (!change) return false;
  const tracks = tracksFor(state, change, item);
  return tracks.length > 0 && tracks.every((t) => t.status === 'approved');
}

/**
 * What may hold an action the policy let through (or stopped for being outside the boundary):
 * an action in a scope change's added scope stops with `scope_not_approved` until every track of
 * that change is approved; an overlay that applies stops it with `gate_not_approved` until the
 * overlay's gate is approved for the action's scope (earlier approvals cover the original scope
 * only), opening that gate when nobody has been asked yet.
 */
function holdAction(state: OpenState, def: WorkflowDefinition, action: ActionScope, policy: DecisionResult, meta: CommandMeta, ref: PolicyRef): { decision: DecisionResult; approvalId: string; opens?: GateRequestedData } | undefined {
  const stop = (reason: DecisionResult['reason'], message: string, owner: string, rule: string | null): DecisionResult => ({ ...policy, decision: 'stop', reason, message, rule, decisionOwner: owner });
  const change = scopeChangeFor(state, action);
  if (change) {
    const tracks = tracksFor(state, change, action);
    const unapproved = tracks.find((t) => t.status === 'rejected' || t.status === 'expired') ?? tracks.find((t) => t.status !== 'approved');
    if (unapproved) {
      const waits = isOpen(unapproved)
        ? `waits on ${unapproved.kind} approval ${unapproved.approvalId}, ${describeStatus(unapproved)} (${unapproved.owner} decides)`
        : `was refused: ${unapproved.kind} approval ${unapproved.approvalId} ${unapproved.status} (${unapproved.owner}); ask again with a new scope change`;
      const message = `${describeScope(action)} is outside the approved scope: scope change ${change.scopeChangeId} ${waits}`;
      return { decision: stop('scope_not_approved', message, unapproved.owner, null), approvalId: unapproved.approvalId };
    }
  }
  if (policy.decision === 'stop') return undefined;
  const scope = change?.scopeChangeId ?? ORIGINAL_SCOPE;
  for (const id of policy.overlays ?? []) {
    const overlay = (def.overlays ?? []).find((o) => o.id === id);
    if (!overlay) continue;
    // Only gates cover an overlay; in a scope change, only a gate for this action class.
    const gate = gateOf(state, overlay.gate, scope, { gatesOnly: true, ...(change ? { action } : {}) });
    if (gate?.status === 'approved') continue;
    if (isOpen(gate) || gate?.status === 'rejected') {
      // A refused gate stays refused (asking again on every attempt would only pester its owner).
      const message = `overlay ${overlay.id} applies: the ${overlay.gate} gate is ${describeStatus(gate)} (approval ${gate!.approvalId}, ${gate!.owner} ${gate!.status === 'rejected' ? 'refused it' : 'decides'})`;
      return { decision: stop('gate_not_approved', message, gate!.owner, overlay.id), approvalId: gate!.approvalId };
    }
    const owner = overlayOwner(def, overlay);
    const opens: GateRequestedData = {
      workOrderId: state.id,
      approvalId: deterministicUuid(meta.commandId, 'gate', overlay.id),
      kind: overlay.gate,
      owner,
      scope,
      source: { overlayId: overlay.id, ...(change ? { scopeChangeId: change.scopeChangeId } : {}) },
      action: change ? { system: action.system, operation: action.operation, kind: action.kind } : gateAction(overlay.gate, { overlayId: overlay.id }),
      policy: ref,
    };
    const message = `overlay ${overlay.id} applies: the ${overlay.gate} gate is ${describeStatus(gate)}; approval ${opens.approvalId} is requested from ${owner}`;
    return { decision: stop('gate_not_approved', message, owner, overlay.id), approvalId: opens.approvalId, opens };
  }
  return undefined;
}

/** The gate view of an approval record. */
export function gateView(a: ApprovalRecord): GateView {
  return { approvalId: a.approvalId, kind: a.kind, owner: a.owner, status: a.status, openConditions: a.openConditions, action: a.action };
}

/** A scope change's tracks as owners see them (or, `asOpened`, as they were opened): status, whether only drafts may proceed, what blocks them. */
export function scopeChangeTracks(state: OpenState, scopeChangeId: string, asOpened = false) {
  const change = state.scopeChanges.get(scopeChangeId);
  if (!change) return [];
  return change.tracks.map((t) => {
    const now = state.approvals.get(t.approvalId)!;
    const a: ApprovalRecord = asOpened ? { ...now, status: 'requested', openConditions: [] } : now;
    return {
      kind: t.kind,
      approvalId: t.approvalId,
      status: a.status,
      mode: a.status === 'approved' ? ('approved' as const) : ('draft-only' as const),
      owner: a.owner,
      scope: t.item,
      blockers: a.status === 'approved' ? [] : [approvalBlocker(a)],
    };
  });
}

/** The work order as rule conditions see it (`workOrder.*` in CEL). */
export function workOrderFacts(state: OpenState): Record<string, unknown> {
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

/**
 * The one empty collection every new work order starts with (a state's maps are read-only and
 * replaced, never changed): five fewer objects per cached work order.
 */
const NONE: ReadonlyMap<never, never> = new Map<never, never>();

/** Applies one recorded event. */
export function evolveWorkOrder(state: WorkOrderState, e: WorkOrderEvent): WorkOrderState {
  if (e.type === WorkOrderEvents.Opened) {
    const d = e.data as WorkOrderOpenedData;
    const opened: OpenState = {
      status: d.status,
      id: d.workOrderId,
      source: d.source,
      externalRef: d.externalRef,
      policy: d.policy,
      owner: d.owner,
      inputs: d.inputs,
      prerequisites: d.prerequisites,
      completedSteps: NONE,
      exceptions: d.exceptions.length ? new Map(d.exceptions.map((x) => [x.exceptionId, { ...x, open: true }])) : NONE,
      actions: NONE,
      approvals: NONE,
      artifacts: NONE,
      scopeChanges: NONE,
      reopened: 0,
      handled: new Map([[e.metadata.commandId, answeredBy(e)]]),
    };
    return opened;
  }
  if (state.status === 'none') return state;
  const s: OpenState = { ...state };
  switch (e.type) {
    case WorkOrderEvents.ActionDecided: {
      const d = e.data as ActionDecidedData;
      const waits = d.decision.decision === 'wait' && d.approvalId !== undefined;
      s.actions = new Map(s.actions).set(d.actionId, { decision: d.decision.decision, ...(waits ? { approvalId: d.approvalId } : {}), pending: waits });
      if (waits) {
        s.approvals = new Map(s.approvals).set(d.approvalId!, {
          approvalId: d.approvalId!,
          kind: d.gate ?? d.decision.rule ?? 'approval',
          owner: d.decision.decisionOwner ?? 'TBD',
          scope: d.scope ?? ORIGINAL_SCOPE,
          status: 'requested',
          openConditions: [],
          action: { system: d.action.system, operation: d.action.operation, kind: d.action.kind },
          source: { actionId: d.actionId },
        });
      }
      break;
    }
    case WorkOrderEvents.ApprovalResolved: {
      const d = e.data as ApprovalResolvedData;
      if (d.actionId) s.actions = new Map(s.actions).set(d.actionId, { decision: d.decision ?? (d.outcome === 'approved' ? 'run' : 'stop'), approvalId: d.approvalId, pending: false });
      const a = s.approvals.get(d.approvalId);
      if (a) s.approvals = new Map(s.approvals).set(d.approvalId, { ...a, status: d.outcome, openConditions: [] });
      break;
    }
    case WorkOrderEvents.ApprovalConditional: {
      const d = e.data as ApprovalConditionalData;
      const a = s.approvals.get(d.approvalId);
      if (a) s.approvals = new Map(s.approvals).set(d.approvalId, { ...a, status: 'conditional', openConditions: d.openConditions, ...(d.approvalVersion !== undefined ? { conditionsVersion: d.approvalVersion } : {}) });
      break;
    }
    case WorkOrderEvents.GateRequested: {
      const d = e.data as GateRequestedData;
      s.approvals = new Map(s.approvals).set(d.approvalId, { approvalId: d.approvalId, kind: d.kind, owner: d.owner, scope: d.scope, status: 'requested', openConditions: [], action: d.action, source: d.source });
      break;
    }
    case WorkOrderEvents.StageArtifactRecorded: {
      const d = e.data as StageArtifactRecordedData;
      s.artifacts = new Map(s.artifacts).set(d.stageId, { kind: d.artifact.kind, ref: d.artifact.ref, at: e.occurredAt });
      break;
    }
    case WorkOrderEvents.ScopeChangeRequested: {
      const d = e.data as ScopeChangeRequestedData;
      s.scopeChanges = new Map(s.scopeChanges).set(d.scopeChangeId, { scopeChangeId: d.scopeChangeId, add: d.add, reason: d.reason, tracks: d.tracks, at: e.occurredAt });
      break;
    }
    case WorkOrderEvents.BreakGlassUsed: {
      const d = e.data as BreakGlassUsedData;
      s.exceptions = new Map(s.exceptions).set(d.exceptionId, { exceptionId: d.exceptionId, code: d.code, owner: d.owner, dueAt: d.dueAt, stepId: d.stepId, rationale: d.rationale, open: true });
      s.actions = new Map(s.actions).set(d.actionId, { decision: 'run', pending: false });
      if (s.status === 'open') s.status = 'blocked';
      break;
    }
    case WorkOrderEvents.ExceptionClosed: {
      const d = e.data as WorkOrderExceptionClosedData;
      const x = s.exceptions.get(d.exceptionId);
      if (x) s.exceptions = new Map(s.exceptions).set(d.exceptionId, { ...x, open: false });
      if (s.status === 'blocked' && ![...s.exceptions.values()].some((v) => v.open)) s.status = 'open';
      break;
    }
    case WorkOrderEvents.StepCompleted: {
      const d = e.data as StepCompletedData;
      s.completedSteps = new Map(s.completedSteps).set(d.stepId, d.evidence);
      break;
    }
    case WorkOrderEvents.StepBlocked: {
      const d = e.data as StepBlockedData;
      s.exceptions = new Map(s.exceptions).set(d.exceptionId, { ...d, open: true });
      if (s.status === 'open') s.status = 'blocked';
      break;
    }
    case WorkOrderEvents.Closed:
      s.status = 'closed';
      s.closure = { evidenceMissing: false, at: e.occurredAt };
      break;
    case WorkOrderEvents.ClosureReported: {
      const d = e.data as WorkOrderClosureReportedData;
      s.status = 'closed';
      s.closure = { evidenceMissing: d.evidenceMissing, at: d.closedAt };
      break;
    }
    case WorkOrderEvents.Stopped:
      s.status = 'stopped';
      s.stopReason = (e.data as WorkOrderStoppedData).reason;
      break;
    case WorkOrderEvents.Reopened:
      s.status = [...s.exceptions.values()].some((x) => x.open) ? 'blocked' : 'open';
      s.closure = undefined;
      s.stopReason = undefined;
      s.reopened += 1;
      break;
    default:
      break;
  }
  // A command is answered (and a retry recognised) from its last event that answers: an opening's
  // exceptions recorded after it do not.
  if (e.type !== WorkOrderEvents.ActionRequested && e.type !== WorkOrderEvents.ExceptionRaised) s.handled = new Map(s.handled).set(e.metadata.commandId, answeredBy(e));
  return s;
}

/** The answer to the command whose last recorded event this is. */
export function answerOf(e: AnsweredBy, state: OpenState): WorkOrderAnswer {
  switch (e.type) {
    case WorkOrderEvents.Opened: {
      const d = e.data as WorkOrderOpenedData;
      return { id: d.workOrderId, status: d.status, prerequisites: d.prerequisites, exceptions: d.exceptions };
    }
    case WorkOrderEvents.ActionDecided: {
      const d = e.data as ActionDecidedData;
      return { actionId: d.actionId, ...d.decision, receiptId: e.eventId, ...(d.approvalId ? { approvalId: d.approvalId } : {}) };
    }
    // A retry answers as the first time: the gate and the tracks as they were opened, not as they stand now.
    case WorkOrderEvents.StageArtifactRecorded: {
      const d = e.data as StageArtifactRecordedData;
      const gate = state.approvals.get(d.gateApprovalId)!;
      const answer: ArtifactAnswer = { workOrderId: state.id, stageId: d.stageId, receiptId: e.eventId, gate: gateView({ ...gate, status: 'requested', openConditions: [] }) };
      return answer;
    }
    case WorkOrderEvents.ScopeChangeRequested: {
      const d = e.data as ScopeChangeRequestedData;
      return { scopeChangeId: d.scopeChangeId, workOrderId: state.id, receiptId: e.eventId, add: d.add, tracks: scopeChangeTracks(state, d.scopeChangeId, true) };
    }
    case WorkOrderEvents.StepCompleted:
      return { workOrderId: state.id, stepId: (e.data as StepCompletedData).stepId, status: 'completed', receiptId: e.eventId };
    case WorkOrderEvents.StepBlocked: {
      const { workOrderId: _id, ...exception } = e.data as StepBlockedData;
      return { workOrderId: state.id, stepId: exception.stepId!, status: 'blocked', receiptId: e.eventId, exception };
    }
    case WorkOrderEvents.ClosureReported:
      return { id: state.id, status: 'closed', receiptId: e.eventId, evidenceMissing: (e.data as WorkOrderClosureReportedData).evidenceMissing };
    case WorkOrderEvents.BreakGlassUsed: {
      const d = e.data as BreakGlassUsedData;
      const { workOrderId: _w, actionId, action: _a, facts: _f, postReviewId, reviewer, postReviewDueAt, ...exception } = d;
      return { actionId, decision: 'run', reason: 'break_glass', receiptId: e.eventId, exception, postReview: { id: postReviewId, owner: reviewer, dueAt: postReviewDueAt } };
    }
    case WorkOrderEvents.ApprovalResolved:
    case WorkOrderEvents.ExceptionClosed:
    case WorkOrderEvents.Stopped:
      return { id: state.id, status: state.status, receiptId: e.eventId };
    default:
      return { id: state.id, status: state.status, receiptId: e.eventId };
  }
}
