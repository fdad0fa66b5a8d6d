import { ApprovalEvents, idOfStream, WorkOrderEvents } from '@workgate/contracts';
import { HandledEvent } from './view-event';
import { View } from './view-projection';
import { ViewTable } from './view-table';
import { STUCK_SPELL_EVENTS, WorkOrderLookup, WorkOrderRow } from './work-orders.projection';
import { WorkflowLookup } from './workflows.projection';

/** One step of a work order: its place in the definition, when it was completed and how long it took, the codes it was blocked with. */
export interface StepProgress {
  i: number;
  completedAt: string | null;
  /** From the work order's previous step completion (or its opening) to this one's. */
  seconds: number | null;
  blocked: string[];
}

/** A work order's steps: where each stands, which is next, and where its stuck spells began. */
export interface StepsRow {
  workOrderId: string;
  jobType: string;
  version: number;
  openedAt: string;
  /** Step id -> its progress, every step of the work order's workflow version. */
  steps: Record<string, StepProgress>;
  /** The latest step completion, or the opening. */
  lastDoneAt: string;
  /** The first step of the definition not completed; null when every one is. */
  nextStep: string | null;
  /** The step next when the running blocked-or-waiting spell began; null when none runs. */
  stuckStep: string | null;
  /** The step the first stalled spell was stuck at ('' when no step was left); null when none stalled. */
  stalledStep: string | null;
  /** Its work order's, kept here so what is held at a step now is read from this view alone. */
  active: boolean;
  stuckSince: string | null;
  stalledAt: string | null;
  stallAfterMs: number;
}

/** Every event that may start or end a work order's stuck spell (see the work-orders view), and its steps' own. */
const handles = STUCK_SPELL_EVENTS;

type StepEvent = HandledEvent<typeof handles>;

/** The first step in the definition's order not completed. */
function nextOf(steps: Record<string, StepProgress>): string | null {
  let next: string | null = null;
  for (const [id, s] of Object.entries(steps)) if (!s.completedAt && (next === null || s.i < steps[next].i)) next = id;
  return next;
}

/** Where the work order's stuck spells stand after its row took this event (the work-orders view folds first). */
function tracked(row: StepsRow, wo: WorkOrderRow | undefined): StepsRow {
  if (!wo) return row;
  let { stuckStep, stalledStep } = row;
  if (wo.stalledAt !== null && stalledStep === null) stalledStep = stuckStep ?? row.nextStep ?? '';
  if (wo.stuckSince === null) stuckStep = null;
  else if (stuckStep === null) stuckStep = row.nextStep;
  const active = wo.status === 'open' || wo.status === 'blocked';
  const { stuckSince, stalledAt, stallAfterMs } = wo;
  const same =
    stuckStep === row.stuckStep &&
    stalledStep === row.stalledStep &&
    active === row.active &&
    stuckSince === row.stuckSince &&
    stalledAt === row.stalledAt &&
    stallAfterMs === row.stallAfterMs;
  return same ? row : { ...row, stuckStep, stalledStep, active, stuckSince, stalledAt, stallAfterMs };
}

function opened(e: Extract<StepEvent, { type: 'WorkOrderOpened' }>, id: string, ctx: WorkflowLookup): StepsRow {
  const { jobType, version } = e.data.policy;
  const order = ctx.workflow(jobType, version)?.stepOrder ?? {};
  const steps: Record<string, StepProgress> = {};
  for (const [step, i] of Object.entries(order)) steps[step] = { i, completedAt: null, seconds: null, blocked: [] };
  return {
    workOrderId: id,
    jobType,
    version,
    openedAt: e.occurredAt,
    steps,
    lastDoneAt: e.occurredAt,
    nextStep: nextOf(steps),
    stuckStep: null,
    stalledStep: null,
    active: false,
    stuckSince: null,
    stalledAt: null,
    stallAfterMs: 0,
  };
}

/** What a step's own event makes of the row (a completion once; a block at a step of the version). */
function stepped(row: StepsRow, e: StepEvent): StepsRow {
  if (e.type === WorkOrderEvents.StepCompleted) {
    const step = row.steps[e.data.stepId];
    if (!step || step.completedAt) return row;
    const seconds = Math.max(0, (Date.parse(e.occurredAt) - Date.parse(row.lastDoneAt)) / 1000);
    const steps = { ...row.steps, [e.data.stepId]: { ...step, completedAt: e.occurredAt, seconds } };
    return { ...row, steps, lastDoneAt: e.occurredAt, nextStep: nextOf(steps) };
  }
  if (e.type === WorkOrderEvents.StepBlocked && e.data.stepId) {
    const step = row.steps[e.data.stepId];
    if (!step) return row;
    return { ...row, steps: { ...row.steps, [e.data.stepId]: { ...step, blocked: [...step.blocked, e.data.code] } } };
  }
  return row;
}

/**
 * `view_steps`: per work order, each step of its workflow version (completed when, how long it
 * took, the codes it was blocked with), the step next, and the step its stuck spells began at, so
 * a stall is counted at the step it held up. What it adds to the steps' counts is `view_step_counts`'.
 */
export const stepsView: View<StepsRow, typeof handles, WorkOrderLookup & WorkflowLookup> = {
  table: new ViewTable<StepsRow>('view_steps', 'work_order_id', [
    ['work_order_id', 'uuid', 'workOrderId'],
    ['job_type', 'text', 'jobType'],
    ['version', 'bigint', 'version'],
    ['opened_at', 'timestamptz', 'openedAt'],
    ['steps', 'jsonb', 'steps'],
    ['last_done_at', 'timestamptz', 'lastDoneAt'],
    ['next_step', 'text', 'nextStep'],
    ['stuck_step', 'text', 'stuckStep'],
    ['stalled_step', 'text', 'stalledStep'],
    ['active', 'boolean', 'active'],
    ['stuck_since', 'timestamptz', 'stuckSince'],
    ['stalled_at', 'timestamptz', 'stalledAt'],
    ['stall_after_ms', 'bigint', 'stallAfterMs'],
  ]),
  handles,
  read: { by: 'id', startedBy: WorkOrderEvents.Opened },
  key: (row) => row.workOrderId,
  // A workflow change's approval belongs to no work order.
  ids: (e) =>
    e.type !== ApprovalEvents.Requested ? [idOfStream(e.streamId)] : e.data.workOrderId ? [e.data.workOrderId] : [],
  evolve: (row, e, id, ctx) => {
    if (e.type === WorkOrderEvents.Opened) return row ?? tracked(opened(e, id, ctx), ctx.workOrder(id));
    if (!row) return row;
    return tracked(stepped(row, e), ctx.workOrder(id));
  },
};
