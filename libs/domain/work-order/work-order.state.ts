import { Evidence, ORIGINAL_SCOPE, WorkOrderOpenedData } from '@workgate/contracts';
import { LayeredMap } from '../layered-map';
import { AnsweredBy, answeredBy } from './answered-by';
import { WorkOrderEvent } from './work-order.events';
import { ActionOnWorkOrder, ExceptionOnWorkOrder, requestSha256, ToolApproval } from './work-order.records';

export * from './work-order.events';
export * from './work-order.records';
import { LifecycleState } from './lifecycle';

/** What every existing work order holds, whatever its status. Collections are replaced, never changed in place. */
export interface WorkOrderCore
  extends
    LifecycleState,
    Pick<WorkOrderOpenedData, 'source' | 'externalRef' | 'policy' | 'owner' | 'inputs' | 'prerequisites'> {
  id: string;
  completedSteps: ReadonlyMap<string, Evidence[]>;
  exceptions: ReadonlyMap<string, ExceptionOnWorkOrder>;
  actions: ReadonlyMap<string, ActionOnWorkOrder>;
  /** Approvals of tool calls, by approval id (docs/agents.md, The MCP gateway). */
  toolApprovals: ReadonlyMap<string, ToolApproval>;
  reopened: number;
  /** commandId -> what its answering event holds of the answer, so a retried command answers as the first time. */
  handled: ReadonlyMap<string, AnsweredBy>;
}

/** Open, or blocked by an open exception: commands that do work are accepted. */
export type ActiveWorkOrder = WorkOrderCore & { status: 'open' | 'blocked' };
export type ClosedWorkOrder = WorkOrderCore & { status: 'closed'; closure: { evidenceMissing: boolean; at: string } };
/** Halted with a reason (e.g. a delegation timed out): only reopening, closing or a report of closure is accepted. */
export type StoppedWorkOrder = WorkOrderCore & { status: 'stopped'; stopReason: string };
export type WorkOrder = ActiveWorkOrder | ClosedWorkOrder | StoppedWorkOrder;
export type WorkOrderState = { status: 'none' } | WorkOrder;

export const initialWorkOrderState = (): WorkOrderState => ({ status: 'none' });

/** The one empty collection every new work order starts with (shared: collections are replaced, never changed). */
const NONE: ReadonlyMap<never, never> = new Map<never, never>();

const anyOpen = (exceptions: ReadonlyMap<string, ExceptionOnWorkOrder>) => [...exceptions.values()].some((x) => x.open);

/** The core of a work order without what its status carries. */
function coreOf(s: WorkOrder): WorkOrderCore {
  if (s.status === 'closed') {
    const { status: _status, closure: _closure, ...core } = s;
    return core;
  }
  if (s.status === 'stopped') {
    const { status: _status, stopReason: _reason, ...core } = s;
    return core;
  }
  const { status: _status, ...core } = s;
  return core;
}

/** An active work order is blocked exactly while an exception of it is open; closed and stopped ones stay as they are. */
function withExceptions(s: WorkOrder, exceptions: ReadonlyMap<string, ExceptionOnWorkOrder>): WorkOrder {
  if (s.status !== 'open' && s.status !== 'blocked') return { ...s, exceptions };
  return { ...s, exceptions, status: anyOpen(exceptions) ? 'blocked' : 'open' };
}

/** The map with one entry set, the given one unchanged: about √n, not n (the maps grow with every command the work order sees). */
const set = <K, V>(map: ReadonlyMap<K, V>, key: K, value: V): ReadonlyMap<K, V> => LayeredMap.of(map).with(key, value);

/** Applies one recorded event. */
export function evolveWorkOrder(state: WorkOrderState, e: WorkOrderEvent): WorkOrderState {
  if (e.type === 'WorkOrderOpened') {
    const d = e.data;
    return {
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
      toolApprovals: NONE,
      approvals: NONE,
      artifacts: NONE,
      scopeChanges: NONE,
      reopened: 0,
      handled: new Map([[e.metadata.commandId, answeredBy(e)]]),
    };
  }
  if (state.status === 'none') return state;
  const next = apply(state, e);
  // Recorded beside the event that answers their command (an opening's exceptions; earlier versions' requests): they answer nothing.
  if (e.type === 'ActionRequested' || e.type === 'WorkOrderExceptionRaised') return next;
  return { ...next, handled: set(next.handled, e.metadata.commandId, answeredBy(e)) };
}

function apply(s: WorkOrder, e: Exclude<WorkOrderEvent, { type: 'WorkOrderOpened' }>): WorkOrder {
  switch (e.type) {
    case 'ActionRequested':
    case 'WorkOrderExceptionRaised':
    case 'TaskDelegated':
      return s;
    case 'ActionPerformed': {
      const a = s.actions.get(e.data.actionId);
      return a ? { ...s, actions: set(s.actions, e.data.actionId, { ...a, performed: e.data.resultSha256 }) } : s;
    }
    case 'ActionDecided': {
      const d = e.data;
      const waits = d.decision.decision === 'wait' && d.approvalId !== undefined;
      const toolCall = d.action.argumentsSha256
        ? {
            toolCall: true,
            argumentsSha256: d.action.argumentsSha256,
            ...(waits
              ? {
                  heldBy: {
                    rule: d.decision.rule ?? null,
                    owner: d.decision.decisionOwner ?? null,
                    requestSha256: requestSha256(d.facts, d.action.objects),
                  },
                }
              : {}),
          }
        : {};
      const actions = set(s.actions, d.actionId, {
        decision: d.decision.decision,
        ...(waits ? { approvalId: d.approvalId } : {}),
        pending: waits,
        requestedBy: e.metadata.actor,
        ...toolCall,
      });
      // An exact call's approval is used once.
      const covering = d.coveredBy ? s.toolApprovals.get(d.coveredBy) : undefined;
      const toolApprovals = covering?.argumentsSha256
        ? set(s.toolApprovals, covering.approvalId, { ...covering, used: true })
        : s.toolApprovals;
      if (!waits || s.approvals.has(d.approvalId!)) return { ...s, actions, toolApprovals };
      // Ledgers of earlier versions record a wait's approval in its ActionDecided alone.
      const approval = {
        approvalId: d.approvalId!,
        kind: d.gate ?? d.decision.rule ?? 'approval',
        owner: d.decision.decisionOwner ?? 'TBD',
        scope: d.scope ?? ORIGINAL_SCOPE,
        status: 'requested' as const,
        openConditions: [],
        action: { system: d.action.system, operation: d.action.operation, kind: d.action.kind },
        source: { actionId: d.actionId },
      };
      return { ...s, actions, toolApprovals, approvals: set(s.approvals, approval.approvalId, approval) };
    }
    case 'GateRequested': {
      const d = e.data;
      return {
        ...s,
        approvals: set(s.approvals, d.approvalId, {
          approvalId: d.approvalId,
          kind: d.kind,
          owner: d.owner,
          scope: d.scope,
          status: 'requested',
          openConditions: [],
          action: d.action,
          source: d.source,
        }),
      };
    }
    case 'ApprovalResolved': {
      const d = e.data;
      const waited = d.actionId ? s.actions.get(d.actionId) : undefined;
      const actions = d.actionId
        ? set(s.actions, d.actionId, {
            ...waited,
            decision: d.decision ?? (d.outcome === 'approved' ? 'run' : 'stop'),
            approvalId: d.approvalId,
            pending: false,
          })
        : s.actions;
      const a = s.approvals.get(d.approvalId);
      // An approved tool call covers the call asked again (its arguments' hash), or every call of the tool.
      const p = d.outcome === 'approved' && waited?.heldBy ? d.permittedAction : undefined;
      const toolApprovals = p
        ? set(s.toolApprovals, d.approvalId, {
            approvalId: d.approvalId,
            system: p.system,
            operation: p.operation,
            kind: p.kind,
            ...(p.argumentsSha256 ? { argumentsSha256: p.argumentsSha256 } : {}),
            ...waited!.heldBy!,
            ...(d.decidedBy ? { decidedBy: d.decidedBy } : {}),
            used: false,
          })
        : s.toolApprovals;
      return {
        ...s,
        actions,
        toolApprovals,
        approvals: a ? set(s.approvals, d.approvalId, { ...a, status: d.outcome, openConditions: [] }) : s.approvals,
      };
    }
    case 'ApprovalConditional': {
      const d = e.data;
      const a = s.approvals.get(d.approvalId);
      if (!a) return s;
      const conditional = {
        ...a,
        status: 'conditional' as const,
        openConditions: d.openConditions,
        ...(d.approvalVersion !== undefined ? { conditionsVersion: d.approvalVersion } : {}),
      };
      return { ...s, approvals: set(s.approvals, d.approvalId, conditional) };
    }
    case 'StageArtifactRecorded': {
      const d = e.data;
      return {
        ...s,
        artifacts: set(s.artifacts, d.stageId, { kind: d.artifact.kind, ref: d.artifact.ref, at: e.occurredAt }),
      };
    }
    case 'ScopeChangeRequested': {
      const d = e.data;
      return {
        ...s,
        scopeChanges: set(s.scopeChanges, d.scopeChangeId, {
          scopeChangeId: d.scopeChangeId,
          add: d.add,
          reason: d.reason,
          tracks: d.tracks,
          at: e.occurredAt,
        }),
      };
    }
    case 'StepCompleted':
      return { ...s, completedSteps: set(s.completedSteps, e.data.stepId, e.data.evidence) };
    case 'StepBlocked': {
      const { workOrderId: _id, ...exception } = e.data;
      return withExceptions(s, set(s.exceptions, exception.exceptionId, { ...exception, open: true }));
    }
    case 'BreakGlassUsed': {
      const { exceptionId, code, owner, dueAt, stepId, rationale, actionId } = e.data;
      const next = withExceptions(
        s,
        set(s.exceptions, exceptionId, { exceptionId, code, owner, dueAt, stepId, rationale, open: true }),
      );
      return { ...next, actions: set(s.actions, actionId, { decision: 'run', pending: false }) };
    }
    case 'WorkOrderExceptionClosed': {
      const x = s.exceptions.get(e.data.exceptionId);
      return x ? withExceptions(s, set(s.exceptions, x.exceptionId, { ...x, open: false })) : s;
    }
    case 'WorkOrderClosed':
      return { ...coreOf(s), status: 'closed', closure: { evidenceMissing: false, at: e.occurredAt } };
    case 'WorkOrderClosureReported':
      return {
        ...coreOf(s),
        status: 'closed',
        closure: { evidenceMissing: e.data.evidenceMissing, at: e.data.closedAt },
      };
    case 'WorkOrderStopped':
      return { ...coreOf(s), status: 'stopped', stopReason: e.data.reason };
    case 'WorkOrderReopened': {
      const core = coreOf(s);
      return { ...core, status: anyOpen(core.exceptions) ? 'blocked' : 'open', reopened: core.reopened + 1 };
    }
    default: {
      const never: never = e;
      throw new Error(`unknown event ${JSON.stringify(never)}`);
    }
  }
}
