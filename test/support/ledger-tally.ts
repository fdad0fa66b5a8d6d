import { RecordedEvent } from '@workgate/contracts';
import { toRecordedEvent } from '@workgate/event-store';
import { parseDuration } from '@workgate/workflow';
import type { TestWorkgate } from './workgate';

/**
 * What a test counts for itself from the ledger's own events (the `ledger_events` table, read in
 * position order), to hold the evidence views, the monthly review and the live map against: the
 * views' projections and queries are never read here. Each number follows the definitions of
 * docs/ (work orders opened in [from, to) by asOf; closures and exception raises on their own time).
 */

/** A window of the views: [from, to), measured at asOf. */
export interface TallyWindow {
  from: string;
  to: string;
  asOf: string;
}

/** Every event of the ledger, oldest first. */
export async function ledgerEvents(t: TestWorkgate): Promise<RecordedEvent[]> {
  const { rows } = await t.db.appPool().query(
    `SELECT position, stream_id, stream_version, event_id::text AS event_id, type, data, metadata, occurred_at, recorded_at, prev_hash, hash
         FROM ledger_events ORDER BY position`,
  );
  return rows.map(toRecordedEvent);
}

/** One blocked-or-waiting spell: from `since` to `until` (null: still running), at the step next when it began. */
interface Spell {
  since: number;
  until: number | null;
  step: string | null;
}

/** A work order as its events left it. */
export interface TalliedWorkOrder {
  id: string;
  jobType: string;
  openedAt: number;
  active: boolean;
  closedAt: number | null;
  evidenceMissing: boolean;
  /** Its version's steps in the definition's order. */
  order: string[];
  /** Step id -> seconds from the previous completion (or the opening) to its first completion. */
  completed: Map<string, number>;
  /** Every block at a step of its version. */
  blocks: Array<{ stepId: string; code: string }>;
  spells: Spell[];
  stallAfterMs: number;
}

export interface TalliedException {
  workOrder: TalliedWorkOrder;
  code: string;
  raisedAt: number;
  dueAt: number;
  resolvedAt: number | null;
  escalatedAt: number | null;
}

export interface TalliedApproval {
  workOrder: TalliedWorkOrder;
  gate: string | null;
  status: 'requested' | 'approved' | 'conditional' | 'rejected' | 'expired';
  requestedAt: number;
  expiresAt: number;
  decidedAt: number | null;
}

export interface Tally {
  workOrders: Map<string, TalliedWorkOrder>;
  exceptions: Map<string, TalliedException>;
  approvals: Map<string, TalliedApproval>;
  /** Per action: its work order and the rule that decided it (null: the boundary). */
  decisions: Map<string, { workOrder: TalliedWorkOrder; rule: string | null; decision: string }>;
}

const idOf = (streamId: string) => streamId.slice(streamId.indexOf('-') + 1);
type Data = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

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
  const raise = (wo: TalliedWorkOrder, x: Data, at: string) =>
    out.exceptions.set(String(x.exceptionId), {
      workOrder: wo,
      code: String(x.code),
      raisedAt: Date.parse(at),
      dueAt: Date.parse(String(x.dueAt)),
      resolvedAt: null,
      escalatedAt: null,
    });
  for (const e of events) {
    const d = e.data as Data;
    const at = Date.parse(e.occurredAt);
    if (e.type === 'WorkflowPublished') {
      const def = d.definition as Data;
      versions.set(`${d.jobType} ${d.version}`, {
        order: ((def.steps ?? []) as Data[]).map((s) => String(s.id)),
        stallAfterMs: parseDuration(def.stallAfter ?? 'PT4H')!,
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
      const approval = out.approvals.get(idOf(e.streamId));
      if (e.type === 'ApprovalRequested' && d.workOrderId && out.workOrders.has(d.workOrderId)) {
        const wo = out.workOrders.get(d.workOrderId)!;
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
        restate(wo, at);
      } else if (approval) {
        const status = (
          { ApprovalGranted: 'approved', ApprovalConditioned: 'conditional', ApprovalRejected: 'rejected' } as const
        )[e.type as 'ApprovalGranted'];
        const when = Date.parse(d.at);
        if (status) approval.status = status;
        if (e.type === 'ApprovalExpired') approval.status = 'expired';
        if (status || e.type === 'ApprovalExpired')
          approval.decidedAt ??= e.type === 'ApprovalExpired' ? Math.min(approval.expiresAt, when) : when;
      }
      continue;
    }
    if (!e.streamId.startsWith('workorder-')) continue;
    const id = idOf(e.streamId);
    if (e.type === 'WorkOrderOpened') {
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
      for (const x of d.exceptions as Data[]) raise(wo, x, e.occurredAt);
      restate(wo, at);
      continue;
    }
    const wo = out.workOrders.get(id);
    if (!wo) continue;
    const s = state.get(id)!;
    switch (e.type) {
      case 'ActionDecided':
        out.decisions.set(d.actionId, { workOrder: wo, rule: d.decision.rule ?? null, decision: d.decision.decision });
        continue;
      case 'StepCompleted':
        if (wo.order.includes(d.stepId) && !wo.completed.has(d.stepId)) {
          wo.completed.set(d.stepId, Math.max(0, (at - s.lastDone) / 1000));
          s.lastDone = at;
        }
        break;
      case 'StepBlocked':
      case 'BreakGlassUsed':
        if (e.type === 'StepBlocked' && d.stepId && wo.order.includes(d.stepId))
          wo.blocks.push({ stepId: d.stepId, code: d.code });
        raise(wo, d, e.occurredAt);
        s.openExceptions += 1;
        break;
      case 'WorkOrderExceptionClosed':
        s.openExceptions = Math.max(0, s.openExceptions - 1);
        break;
      case 'ApprovalResolved':
        s.pending = Math.max(0, s.pending - 1);
        break;
      case 'WorkOrderClosed':
      case 'WorkOrderClosureReported':
        wo.active = false;
        wo.closedAt = at;
        wo.evidenceMissing = e.type === 'WorkOrderClosureReported' && d.evidenceMissing === true;
        break;
      case 'WorkOrderStopped':
        wo.active = false;
        break;
      case 'WorkOrderReopened':
        wo.active = true;
        wo.closedAt = null;
        wo.evidenceMissing = false;
        break;
      default:
        continue;
    }
    restate(wo, at);
  }
  return out;
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
