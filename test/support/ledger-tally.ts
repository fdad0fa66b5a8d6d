import { eventOf, ExceptionRef, RecordedEvent } from '@workgate/contracts';
import { toRecordedEvent } from '@workgate/event-store';
import { parseDuration } from '@workgate/workflow';
import type {
  Spell,
  TalliedApproval,
  TalliedException,
  TalliedWorkOrder,
  Tally,
  TallyWindow,
} from './ledger-tally-types';
import type { TestWorkgate } from './workgate';

/**
 * What a test counts for itself from the ledger's own events (the `ledger_events` table, read in
 * position order), to hold the evidence views, the monthly review and the live map against: the
 * views' projections and queries are never read here. Each number follows the definitions of
 * docs/ (work orders opened in [from, to) by asOf; closures and exception raises on their own time).
 */

export type { Spell, TalliedApproval, TalliedException, TalliedWorkOrder, Tally, TallyWindow };

/** Every event of the ledger, oldest first. */
export async function ledgerEvents(t: TestWorkgate): Promise<RecordedEvent[]> {
  const { rows } = await t.db.appPool().query(
    `SELECT position, stream_id, stream_version, event_id::text AS event_id, type, data, metadata, occurred_at, recorded_at, prev_hash, hash
         FROM ledger_events ORDER BY position`,
  );
  return rows.map(toRecordedEvent);
}

const idOf = (streamId: string) => streamId.slice(streamId.indexOf('-') + 1);

/** How an approval's decision event leaves its status. */
const DECIDED = {
  ApprovalGranted: 'approved',
  ApprovalConditioned: 'conditional',
  ApprovalRejected: 'rejected',
} as const;

/** Folds the ledger's events into work orders, exceptions, approvals and decisions. */
export function tally(events: RecordedEvent[]): Tally {
  const versions = new Map<string, { order: string[]; stallAfterMs: number }>();
  const out: Tally = { workOrders: new Map(), exceptions: new Map(), approvals: new Map(), decisions: new Map() };
  const state = new Map<string, { openExceptions: number; pending: number; lastDone: number }>();
  const next = (wo: TalliedWorkOrder) => wo.order.find((s) => !wo.completed.has(s)) ?? null;
  /** Opens or ends the work order's spell at `at`, as it stands after the event. */
  const restate = (wo: TalliedWorkOrder, at: number) => {
    const s = state.get(wo.id)!;
    const stuck = wo.active && (s.openExceptions > 0 || s.pending > 0);
    const running = wo.spells.find((x) => x.until === null);
    if (stuck && !running) wo.spells.push({ since: at, until: null, step: next(wo) });
    if (!stuck && running) running.until = at;
  };
  const raise = (wo: TalliedWorkOrder, x: ExceptionRef, at: string) =>
    out.exceptions.set(x.exceptionId, {
      workOrder: wo,
      code: x.code,
      raisedAt: Date.parse(at),
      dueAt: Date.parse(x.dueAt),
      resolvedAt: null,
      escalatedAt: null,
    });
  for (const e of events) {
    const at = Date.parse(e.occurredAt);
    const published = eventOf(e, 'workflow', 'WorkflowPublished');
    if (published) {
      const { jobType, version, definition } = published.data;
      versions.set(`${jobType} ${version}`, {
        order: (definition.steps ?? []).map((s) => s.id),
        stallAfterMs: parseDuration(definition.stallAfter ?? 'PT4H')!,
      });
      continue;
    }
    const exception = out.exceptions.get(idOf(e.streamId));
    if (e.streamId.startsWith('exception-') && exception) {
      if (e.type === 'ExceptionResolved') exception.resolvedAt ??= at;
      if (e.type === 'ExceptionEscalated') exception.escalatedAt ??= at;
      continue;
    }
    if (e.streamId.startsWith('approval-')) {
      tallyApproval(out, state, e, restate);
      continue;
    }
    const opened = eventOf(e, 'workorder', 'WorkOrderOpened');
    if (opened) {
      const d = opened.data;
      const id = idOf(e.streamId);
      if (out.workOrders.has(id)) continue;
      const v = versions.get(`${d.policy.jobType} ${d.policy.version}`) ?? { order: [], stallAfterMs: 4 * 3_600_000 };
      const wo: TalliedWorkOrder = {
        id,
        jobType: d.policy.jobType,
        openedAt: at,
        active: true,
        closedAt: null,
        evidenceMissing: false,
        order: v.order,
        completed: new Map(),
        blocks: [],
        spells: [],
        stallAfterMs: v.stallAfterMs,
      };
      out.workOrders.set(id, wo);
      state.set(id, { openExceptions: d.exceptions.length, pending: 0, lastDone: at });
      for (const x of d.exceptions) raise(wo, x, e.occurredAt);
      restate(wo, at);
      continue;
    }
    const wo = e.streamId.startsWith('workorder-') ? out.workOrders.get(idOf(e.streamId)) : undefined;
    if (!wo) continue;
    const s = state.get(wo.id)!;
    const decided = eventOf(e, 'workorder', 'ActionDecided');
    if (decided) {
      const { actionId, decision } = decided.data;
      out.decisions.set(actionId, { workOrder: wo, rule: decision.rule ?? null, decision: decision.decision });
      continue;
    }
    const completed = eventOf(e, 'workorder', 'StepCompleted');
    const blocked = eventOf(e, 'workorder', 'StepBlocked') ?? eventOf(e, 'workorder', 'BreakGlassUsed');
    const reported = eventOf(e, 'workorder', 'WorkOrderClosureReported');
    if (completed) {
      const { stepId } = completed.data;
      if (wo.order.includes(stepId) && !wo.completed.has(stepId)) {
        wo.completed.set(stepId, Math.max(0, (at - s.lastDone) / 1000));
        s.lastDone = at;
      }
    } else if (blocked) {
      const { stepId, code } = blocked.data;
      if (blocked.type === 'StepBlocked' && stepId && wo.order.includes(stepId)) wo.blocks.push({ stepId, code });
      raise(wo, blocked.data, e.occurredAt);
      s.openExceptions += 1;
    } else if (e.type === 'WorkOrderExceptionClosed') {
      s.openExceptions = Math.max(0, s.openExceptions - 1);
    } else if (e.type === 'ApprovalResolved') {
      s.pending = Math.max(0, s.pending - 1);
    } else if (reported || e.type === 'WorkOrderClosed') {
      wo.active = false;
      wo.closedAt = at;
      wo.evidenceMissing = reported?.data.evidenceMissing === true;
    } else if (e.type === 'WorkOrderStopped') {
      wo.active = false;
    } else if (e.type === 'WorkOrderReopened') {
      wo.active = true;
      wo.closedAt = null;
      wo.evidenceMissing = false;
    } else {
      continue;
    }
    restate(wo, at);
  }
  return out;
}

/** An event of an approval's stream: its request (for a work order tallied) or its decision. */
function tallyApproval(
  out: Tally,
  state: Map<string, { pending: number }>,
  e: RecordedEvent,
  restate: (wo: TalliedWorkOrder, at: number) => void,
): void {
  const approval = out.approvals.get(idOf(e.streamId));
  const requested = eventOf(e, 'approval', 'ApprovalRequested');
  if (requested) {
    const d = requested.data;
    const wo = d.workOrderId === undefined ? undefined : out.workOrders.get(d.workOrderId);
    if (!wo) return;
    const held = out.decisions.get(d.actionId);
    out.approvals.set(idOf(e.streamId), {
      workOrder: wo,
      gate: held?.decision === 'wait' && held.rule ? held.rule : d.kind ? `gate:${d.kind}` : null,
      status: 'requested',
      requestedAt: Date.parse(d.requestedAt),
      expiresAt: Date.parse(d.expiresAt),
      decidedAt: null,
    });
    state.get(wo.id)!.pending += 1;
    restate(wo, Date.parse(e.occurredAt));
    return;
  }
  if (!approval) return;
  const decision =
    eventOf(e, 'approval', 'ApprovalGranted') ??
    eventOf(e, 'approval', 'ApprovalConditioned') ??
    eventOf(e, 'approval', 'ApprovalRejected');
  const expired = eventOf(e, 'approval', 'ApprovalExpired');
  if (decision) {
    approval.status = DECIDED[decision.type];
    approval.decidedAt ??= Date.parse(decision.data.at);
  } else if (expired) {
    approval.status = 'expired';
    approval.decidedAt ??= Math.min(approval.expiresAt, Date.parse(expired.data.at));
  }
}

/** The numbers of one job type's work orders opened in a window, counted from a tally. */
export class WindowCounts {
  readonly asOf: number;
  readonly opened: TalliedWorkOrder[];

  constructor(
    readonly all: Tally,
    readonly jobType: string,
    readonly w: TallyWindow,
  ) {
    this.asOf = Date.parse(w.asOf);
    this.opened = [...all.workOrders.values()].filter((wo) => wo.jobType === jobType && this.within(wo.openedAt));
  }

  /** In [from, to) and not after asOf. */
  within(at: number): boolean {
    return at >= Date.parse(this.w.from) && at < Date.parse(this.w.to) && at <= this.asOf;
  }

  /** The spell a work order stalled in by asOf (stuck longer than its stallAfter in one spell), if any. */
  stalledSpell(wo: TalliedWorkOrder): Spell | undefined {
    return wo.spells.find(
      (s) => s.since + wo.stallAfterMs < this.asOf && (s.until === null || s.until - s.since > wo.stallAfterMs),
    );
  }

  get stalled(): number {
    return this.opened.filter((wo) => this.stalledSpell(wo)).length;
  }

  /** Per step: work orders open or blocked there now, completions, blocks, stalls, durations. */
  step(stepId: string) {
    const seconds = this.opened.flatMap((wo) => (wo.completed.has(stepId) ? [wo.completed.get(stepId)!] : []));
    const blocks = this.opened.flatMap((wo) => wo.blocks.filter((b) => b.stepId === stepId));
    const codes = new Map<string, number>();
    for (const b of blocks) codes.set(b.code, (codes.get(b.code) ?? 0) + 1);
    return {
      open: this.opened.filter((wo) => wo.active && wo.order.find((s) => !wo.completed.has(s)) === stepId).length,
      completed: seconds.length,
      blocked: blocks.length,
      stalled: this.opened.filter((wo) => this.stalledSpell(wo)?.step === stepId).length,
      seconds,
      codes,
    };
  }

  /** The exceptions of the window's work orders raised by asOf (`raisedInWindow`: those raised in the window, of any work order). */
  exceptions(raisedInWindow = false): TalliedException[] {
    return [...this.all.exceptions.values()].filter((x) =>
      raisedInWindow
        ? x.workOrder.jobType === this.jobType && this.within(x.raisedAt)
        : this.opened.includes(x.workOrder) && x.raisedAt <= this.asOf,
    );
  }

  isOpen(x: TalliedException): boolean {
    return x.resolvedAt === null || x.resolvedAt > this.asOf;
  }

  overdue(x: TalliedException): boolean {
    return this.isOpen(x) && x.dueAt < this.asOf;
  }

  escalated(x: TalliedException): boolean {
    return x.escalatedAt !== null && x.escalatedAt <= this.asOf;
  }

  /** Work orders closed in the window (closed still). */
  closures(): TalliedWorkOrder[] {
    return [...this.all.workOrders.values()].filter(
      (wo) => wo.jobType === this.jobType && wo.closedAt !== null && this.within(wo.closedAt),
    );
  }
}

/** A share to four places, null of nothing. */
export const share = (part: number, whole: number): number | null =>
  whole ? Math.round((part / whole) * 10_000) / 10_000 : null;

/** Postgres' percentile_cont of `values` (interpolated between the nearest ranks), null when none. */
export function percentile(values: number[], p: number): number | null {
  if (!values.length) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = p * (sorted.length - 1);
  const lo = Math.floor(rank);
  return sorted[lo] + (rank - lo) * (sorted[Math.ceil(rank)] - sorted[lo]);
}
