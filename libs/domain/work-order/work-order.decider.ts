import {
  ActionDecidedData,
  ActionRequestedData,
  ApprovalResolvedData,
  BreakGlassUsedData,
  CommandMeta,
  WorkOrderExceptionClosedData,
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
  WorkgateError,
} from '@workgate/contracts';
import { deterministicUuid } from '../ids';

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
  approvalId?: string;
  /** A `wait` is pending until its approval is decided (approvals service). */
  pending: boolean;
}

export interface OpenState {
  status: WorkOrderStatus;
  id: string;
  source: string;
  externalRef: string;
  policy: PolicyRef;
  owner: string;
  inputs: Record<string, unknown>;
  prerequisites: PrerequisiteCheck[];
  completedSteps: Map<string, Evidence[]>;
  exceptions: Map<string, ExceptionState>;
  actions: Map<string, ActionState>;
  reopened: number;
  closure?: { evidenceMissing: boolean; at: string };
  /** Why it was stopped (status `stopped`). */
  stopReason?: string;
  /** commandId -> the event that answered it, so a retried command answers as the first time. */
  handled: Map<string, WorkOrderEvent>;
}

export type WorkOrderState = { status: 'none' } | OpenState;

export const initialWorkOrderState = (): WorkOrderState => ({ status: 'none' });

const refuse = (code: string, message: string, details?: unknown[]) => new WorkgateError(code, message, details);

function isEmpty(value: unknown): boolean {
  return value === undefined || value === null || (typeof value === 'string' && value.trim() === '');
}

function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** The prerequisite checks of a definition against the inputs given when opening. */
export function checkPrerequisites(definition: WorkflowDefinition, inputs: Record<string, unknown>): PrerequisiteCheck[] {
  return (definition.requiredInputs ?? []).map(({ name, equals }) => {
    const value = inputs[name];
    if (isEmpty(value)) return { name, ok: false, reason: `${name} is missing` };
    if (equals !== undefined && !sameValue(value, equals)) {
      return { name, ok: false, reason: `${name} must be ${JSON.stringify(equals)}, got ${JSON.stringify(value)}` };
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
    return [event(WorkOrderEvents.Opened, data)];
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
      const decision = ctx.decision;
      if (!decision) throw new Error('request-action needs the policy decision in its context');
      const actionId = deterministicUuid(meta.commandId, 'action');
      const action = { system: b.system, operation: b.operation, kind: b.kind, ...(b.objects ? { objects: b.objects } : {}), ...(b.stepId ? { stepId: b.stepId } : {}) };
      const requested: ActionRequestedData = { actionId, workOrderId: state.id, action, facts: b.facts ?? {} };
      const decided: ActionDecidedData & { approvalId?: string } = {
        actionId,
        workOrderId: state.id,
        action,
        facts: b.facts ?? {},
        workOrder: workOrderFacts(state),
        decision,
        ...(decision.decision === 'wait' ? { approvalId: deterministicUuid(meta.commandId, 'approval') } : {}),
      };
      return [event(WorkOrderEvents.ActionRequested, requested, 0), event(WorkOrderEvents.ActionDecided, decided, 1)];
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
      const found = [...state.actions.entries()].find(([, a]) => a.approvalId === approvalId);
      if (!found) throw refuse('not_found', `work order ${state.id} has no action waiting for approval ${approvalId}`);
      const [actionId, action] = found;
      if (!action.pending) return [];
      const data: ApprovalResolvedData = {
        workOrderId: state.id,
        actionId,
        approvalId,
        outcome,
        decision: outcome === 'approved' ? 'run' : 'stop',
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
      completedSteps: new Map(),
      exceptions: new Map(d.exceptions.map((x) => [x.exceptionId, { ...x, open: true }])),
      actions: new Map(),
      reopened: 0,
      handled: new Map([[e.metadata.commandId, e]]),
    };
    return opened;
  }
  if (state.status === 'none') return state;
  const s: OpenState = { ...state };
  switch (e.type) {
    case WorkOrderEvents.ActionDecided: {
      const d = e.data as ActionDecidedData & { approvalId?: string };
      s.actions = new Map(s.actions).set(d.actionId, { decision: d.decision.decision, approvalId: d.approvalId, pending: d.decision.decision === 'wait' });
      break;
    }
    case WorkOrderEvents.ApprovalResolved: {
      const d = e.data as ApprovalResolvedData;
      s.actions = new Map(s.actions).set(d.actionId, { decision: d.decision, approvalId: d.approvalId, pending: false });
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
  if (e.type !== WorkOrderEvents.ActionRequested) s.handled = new Map(s.handled).set(e.metadata.commandId, e);
  return s;
}

/** The answer to the command whose last recorded event this is. */
export function answerOf(e: WorkOrderEvent, state: OpenState): WorkOrderAnswer {
  switch (e.type) {
    case WorkOrderEvents.Opened: {
      const d = e.data as WorkOrderOpenedData;
      return { id: d.workOrderId, status: d.status, prerequisites: d.prerequisites, exceptions: d.exceptions };
    }
    case WorkOrderEvents.ActionDecided: {
      const d = e.data as ActionDecidedData & { approvalId?: string };
      return { actionId: d.actionId, ...d.decision, receiptId: e.eventId, ...(d.approvalId ? { approvalId: d.approvalId } : {}) };
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
