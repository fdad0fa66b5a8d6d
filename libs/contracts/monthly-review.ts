import type { SimulatedChange } from './policy';
import type { CompareRow } from './views';

/** The monthly review of a job type (docs/views.md, The monthly review): a calendar month (UTC) against the one before. */

/** One measure in both months; `change` is this month's minus last month's (null when either is unknown). */
export interface Compared {
  thisMonth: number | null;
  lastMonth: number | null;
  change: number | null;
}

/** A calendar month as the views are asked about it: [from, to), measured at asOf (its last instant, or now). */
export interface ReviewWindow {
  month: string;
  from: string;
  to: string;
  asOf: string;
}

/** A code among the month's most raised, with its owner and the step it blocked most (null: not at a step). */
export interface ReviewCode {
  code: string;
  owner: string | null;
  stepId: string | null;
  raised: Compared;
  workOrders: Compared;
  /** Of this month's, still open at the month's end (or now). */
  openAtEnd: number;
}

/** A step where work stalls or is blocked. */
export interface ReviewHotspot {
  stepId: string;
  stalled: Compared;
  blocked: Compared;
  p50Seconds: Compared;
}

export interface ReviewDraftSection {
  /** The draft simulated (null: none). */
  draftId: string | null;
  /** `requested`: the `draft` parameter; `latest`: the job type's latest draft; `none`: no draft to simulate. */
  source: 'requested' | 'latest' | 'none';
  /** Why there are no numbers, when there are none. */
  note: string | null;
  evaluated: Compared;
  changed: Compared;
  /** This month's changed decisions, at most 20, as simulate answers them. */
  decisions: SimulatedChange[];
}

export interface MonthlyReview {
  jobType: string;
  month: ReviewWindow;
  previous: ReviewWindow;
  /** Exception codes raised most in the month (work orders' exceptions raised in the window). */
  topCodes: ReviewCode[];
  /** Work orders opened in the month: how many stalled, and the steps where they stalled or were blocked. */
  stalls: { workOrders: Compared; stalled: Compared; stallRate: Compared; hotspots: ReviewHotspot[] };
  /** Work orders closed in the month: the share closed with closure evidence and of steps completed with theirs. */
  evidence: { closures: Compared; closureShare: Compared; stepShare: Compared };
  /** Work orders closed in the month without closure evidence (e.g. closures reported by a source system). */
  closuresWithoutEvidence: {
    count: Compared;
    workOrders: Array<{ workOrderId: string; externalRef: string; source: string; closedAt: string }>;
  };
  /** Exceptions of the work orders opened in the month: raised, open past their SLA at the month's end, escalated. */
  exceptions: { raised: Compared; breached: Compared; escalated: Compared };
  draft: ReviewDraftSection;
  /**
   * The work orders of every job type closed in the month, by the department of their workflow
   * version (docs/views.md, Departments and comparisons): where this job type's department stands.
   */
  departments: CompareRow[];
}
