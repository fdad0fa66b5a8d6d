import {
  Compared,
  MonthlyReview,
  ReviewCode,
  ReviewDraftSection,
  ReviewHotspot,
  ReviewWindow,
  SimulateResult,
  ViewRow,
} from '@workgate/contracts';

import { ReviewRows } from './review-queries';

/** The draft's simulation in each month, or why there is none. */
export interface ReviewDraftInput {
  draftId: string | null;
  source: ReviewDraftSection['source'];
  note: string | null;
  thisMonth: SimulateResult | null;
  lastMonth: SimulateResult | null;
}

/** How many codes, hotspots and changed decisions the review lists. */
const TOP = 5;
const DECISIONS = 20;

const numOf = (r: ViewRow | undefined, key: string): number | null => {
  const v = r?.[key];
  return typeof v === 'number' ? v : null;
};
const strOf = (r: ViewRow | undefined, key: string): string | null => {
  const v = r?.[key];
  return typeof v === 'string' ? v : null;
};
const sum = (rows: ViewRow[], key: string): number => rows.reduce((s, r) => s + (numOf(r, key) ?? 0), 0);

/** Both months' values and the change (to four places, as the views' ratios are). */
export function compared(thisMonth: number | null, lastMonth: number | null): Compared {
  const change =
    thisMonth === null || lastMonth === null ? null : Math.round((thisMonth - lastMonth) * 10_000) / 10_000;
  return { thisMonth, lastMonth, change };
}

/** The step a code blocked most in the month (ties: the earlier step in the view's order). */
function stepOf(code: string, rows: ViewRow[]): string | null {
  let best: ViewRow | undefined;
  for (const r of rows) if (r.code === code && (numOf(r, 'count') ?? 0) > (numOf(best, 'count') ?? 0)) best = r;
  return strOf(best, 'stepId');
}

function topCodes(now: ReviewRows, before: ReviewRows): ReviewCode[] {
  const codes = [...now.topCodes.slice(0, TOP), ...before.topCodes.slice(0, TOP)]
    .map((r) => String(r.code))
    .filter((c, i, all) => all.indexOf(c) === i);
  return codes
    .map((code) => {
      const a = now.topCodes.find((r) => r.code === code);
      const b = before.topCodes.find((r) => r.code === code);
      return {
        code,
        owner: strOf(a, 'owner') ?? strOf(b, 'owner'),
        stepId: stepOf(code, now.stepExceptions) ?? stepOf(code, before.stepExceptions),
        raised: compared(numOf(a, 'count') ?? 0, numOf(b, 'count') ?? 0),
        workOrders: compared(numOf(a, 'workOrders') ?? 0, numOf(b, 'workOrders') ?? 0),
        openAtEnd: numOf(a, 'open') ?? 0,
      };
    })
    .sort(
      (x, y) =>
        (y.raised.thisMonth ?? 0) - (x.raised.thisMonth ?? 0) || (y.raised.lastMonth ?? 0) - (x.raised.lastMonth ?? 0),
    );
}

function hotspots(now: ReviewRows, before: ReviewRows): ReviewHotspot[] {
  const ids = [...now.steps, ...before.steps]
    .filter((r) => (numOf(r, 'stalled') ?? 0) > 0 || (numOf(r, 'blocked') ?? 0) > 0)
    .map((r) => String(r.stepId))
    .filter((s, i, all) => all.indexOf(s) === i);
  const rank = (h: ReviewHotspot) => [
    h.stalled.thisMonth ?? 0,
    h.blocked.thisMonth ?? 0,
    h.stalled.lastMonth ?? 0,
    h.blocked.lastMonth ?? 0,
  ];
  return ids
    .map((stepId) => {
      const a = now.steps.find((r) => r.stepId === stepId);
      const b = before.steps.find((r) => r.stepId === stepId);
      return {
        stepId,
        stalled: compared(numOf(a, 'stalled') ?? 0, numOf(b, 'stalled') ?? 0),
        blocked: compared(numOf(a, 'blocked') ?? 0, numOf(b, 'blocked') ?? 0),
        p50Seconds: compared(numOf(a, 'p50Seconds'), numOf(b, 'p50Seconds')),
      };
    })
    .sort((x, y) => {
      const [rx, ry] = [rank(x), rank(y)];
      const i = rx.findIndex((v, k) => v !== ry[k]);
      return i < 0 ? 0 : ry[i] - rx[i];
    })
    .slice(0, TOP);
}

function draftSection(d: ReviewDraftInput): ReviewDraftSection {
  const count = (r: SimulateResult | null, key: 'evaluated' | 'changed') =>
    r === null ? null : key === 'evaluated' ? r.evaluated : r.changed.length;
  return {
    draftId: d.draftId,
    source: d.source,
    note: d.note,
    evaluated: compared(count(d.thisMonth, 'evaluated'), count(d.lastMonth, 'evaluated')),
    changed: compared(count(d.thisMonth, 'changed'), count(d.lastMonth, 'changed')),
    decisions: (d.thisMonth?.changed ?? []).slice(0, DECISIONS),
  };
}

/**
 * The monthly review of a job type (docs/views.md, The monthly review) from the views' rows of the month (`now`) and
 * of the month before (`before`): every number is a view's number, or a sum of a view's rows. The
 * month's departments are added beside it (assembleMonthlyReview).
 */
export function monthlyReview(
  jobType: string,
  windows: { month: ReviewWindow; previous: ReviewWindow },
  now: ReviewRows,
  before: ReviewRows,
  draft: ReviewDraftInput,
): Omit<MonthlyReview, 'departments'> {
  const both = (view: keyof ReviewRows, key: string) => compared(numOf(now[view][0], key), numOf(before[view][0], key));
  const stalls = {
    workOrders: compared(numOf(now.stallRates[0], 'workOrders') ?? 0, numOf(before.stallRates[0], 'workOrders') ?? 0),
    stalled: compared(numOf(now.stallRates[0], 'stalled') ?? 0, numOf(before.stallRates[0], 'stalled') ?? 0),
    stallRate: both('stallRates', 'stallRate'),
    hotspots: hotspots(now, before),
  };
  return {
    jobType,
    month: windows.month,
    previous: windows.previous,
    topCodes: topCodes(now, before),
    stalls,
    evidence: {
      closures: compared(numOf(now.evidence[0], 'closures') ?? 0, numOf(before.evidence[0], 'closures') ?? 0),
      closureShare: both('evidence', 'closureShare'),
      stepShare: both('evidence', 'stepShare'),
    },
    closuresWithoutEvidence: {
      count: compared(now.closuresWithoutEvidence.length, before.closuresWithoutEvidence.length),
      workOrders: now.closuresWithoutEvidence.map((r) => ({
        workOrderId: String(r.workOrderId),
        externalRef: String(r.externalRef),
        source: String(r.source),
        closedAt: String(r.closedAt),
      })),
    },
    exceptions: {
      raised: compared(sum(now.exceptionCodes, 'count'), sum(before.exceptionCodes, 'count')),
      breached: compared(sum(now.exceptionCodes, 'overdue'), sum(before.exceptionCodes, 'overdue')),
      escalated: compared(sum(now.exceptionCodes, 'escalated'), sum(before.exceptionCodes, 'escalated')),
    },
    draft: draftSection(draft),
  };
}
