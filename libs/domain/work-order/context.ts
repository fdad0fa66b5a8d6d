import { CommandMeta, EventData, EventType, ExceptionRef, refuse } from '@workgate/contracts';
import { CompiledWorkflow } from '@workgate/workflow';
import { ApprovalEvent } from '../approval/approval.decider';
import { DelegationEvent } from '../delegation/delegation.decider';
import { CatalogCode, ExceptionEvent } from '../exception/exception.decider';
import { PostReviewEvent } from '../exception/post-review.decider';
import { deterministicUuid } from '../ids';
import type { ActiveWorkOrder, EventMeta, WorkOrder, WorkOrderEvent } from './work-order.state';

/** What a work-order command is decided with, besides the command and the state. */
export interface WorkOrderContext {
  meta: CommandMeta;
  /** The workflow version the work order runs on (to open one: the job type's current version). */
  workflow: CompiledWorkflow;
  /** The exception-code catalog: owner and SLA per code. */
  catalog: ReadonlyMap<string, CatalogCode>;
  /** The id a work order being opened gets. */
  workOrderId: string;
}

/** The first events of a stream a command starts, recorded in the same commit as the work order's own. */
export type Started =
  | { stream: 'approval'; id: string; events: ApprovalEvent[] }
  | { stream: 'exception'; id: string; events: ExceptionEvent[] }
  | { stream: 'postreview'; id: string; events: PostReviewEvent[] }
  | { stream: 'delegation'; id: string; events: DelegationEvent[] };

/** The service that decides work orders and alone writes their streams (docs/ledger.md, Table). */
export const WORK_ORDER_PRODUCER = 'intake';

/**
 * The events of one command: ids derived from the command id, its type and an index (so a retried
 * command records the very same events), with who caused them and when.
 */
export function recorder(meta: CommandMeta) {
  const metadata: EventMeta = {
    commandId: meta.commandId,
    actor: meta.actor,
    channel: meta.channel,
    producer: WORK_ORDER_PRODUCER,
  };
  if (meta.traceparent) metadata.traceparent = meta.traceparent;
  if (meta.signedIn) Object.assign(metadata, { issuer: meta.signedIn.issuer, subject: meta.signedIn.subject });
  return <T extends EventType<'workorder'>>(type: T, data: EventData<'workorder', T>, index = 0): WorkOrderEvent =>
    ({
      type,
      data,
      eventId: deterministicUuid(meta.commandId, type, String(index)),
      metadata,
      occurredAt: meta.now,
    }) as WorkOrderEvent;
}

/** The work order, if it accepts work: closed and stopped ones refuse with their own code. */
export function active(state: WorkOrder): ActiveWorkOrder {
  if (state.status === 'closed') throw refuse('work_order_closed', `work order ${state.id} is closed`);
  if (state.status === 'stopped')
    throw refuse('work_order_stopped', `work order ${state.id} is stopped: ${state.stopReason}; reopen it first`);
  return state;
}

/** The work order, unless it is already closed. */
export function notClosed(state: WorkOrder): Exclude<WorkOrder, { status: 'closed' }> {
  if (state.status === 'closed') throw refuse('work_order_closed', `work order ${state.id} is already closed`);
  return state;
}

export const isBlank = (value: unknown) =>
  value === undefined || value === null || (typeof value === 'string' && value.trim() === '');

const at = (now: string, ms: number) => new Date(Date.parse(now) + ms).toISOString();

/** A code the work order's workflow allows here (docs/api.md, The exception-code catalog: free text and codes outside its list are refused). */
export function allowedCode(ctx: WorkOrderContext, code: string): void {
  const { definition } = ctx.workflow;
  if (!ctx.catalog.has(code)) throw refuse('unknown_exception_code', `"${code}" is not in the exception-code catalog`);
  if (!(definition.exceptionCodes ?? []).includes(code)) {
    throw refuse(
      'unknown_exception_code',
      `"${code}" is not allowed by ${definition.jobType} v${definition.version} (allowed: ${(definition.exceptionCodes ?? []).join(', ') || 'none'})`,
    );
  }
}

/** An exception of the work order with owner and SLA from the catalog; its id derives from the command. */
export function raise(ctx: WorkOrderContext, code: string, stepId: string | null, rationale: string): ExceptionRef {
  const entry = ctx.catalog.get(code);
  if (!entry) throw refuse('unknown_exception_code', `"${code}" is not in the exception-code catalog`);
  return {
    exceptionId: deterministicUuid('exception', ctx.meta.commandId, code),
    code,
    owner: entry.owner,
    dueAt: at(ctx.meta.now, entry.slaMs),
    stepId,
    rationale,
  };
}
