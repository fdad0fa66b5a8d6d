/** The evidence views (docs/views.md, The views): their names and the query every one of them takes. */
export const VIEW_NAMES = [
  'closures',
  'exception-codes/top',
  'exception-trends',
  'stall-rates',
  'post-reviews',
  'first-time-fix',
  'approvals',
  'evidence-completeness',
  'steps',
  'step-exceptions',
  'gates',
  'rules',
  'exception-codes',
  'exceptions',
] as const;
export type ViewName = (typeof VIEW_NAMES)[number];

export interface ViewQuery {
  view: ViewName;
  /** [from, to) on the view's own time (raised, opened, closed, requested, created; the map's views: the work order's opening); RFC 3339. */
  from?: string;
  to?: string;
  /** The instant "overdue", "stalled" and "age" are measured at (default: now). */
  asOf?: string;
  jobType?: string;
  /** `version`: one row per workflow version, to compare SOP versions. */
  groupBy?: 'version';
  limit?: number;
  /** exception-trends: bucket size. */
  interval?: 'day' | 'week' | 'month';
  /** exception-trends, exceptions: one code only. */
  code?: string;
  /** post-reviews: only those past due at asOf. */
  overdue?: boolean;
  /** approvals: `pending` (default: requested or conditional), `all`, or one status; exceptions: `open`, `resolved` or `all` (default) at asOf. */
  status?: string;
  /** approvals, post-reviews, exceptions: one owner only. */
  owner?: string;
  /** exceptions: only those escalated by asOf (`true`), or only those not (`false`). */
  escalated?: boolean;
  /** closures: `missing` lists only closures without closure evidence. */
  evidence?: 'missing';
  /** post-reviews: only those after this one in the view's order (owner, due time, id): the next page. */
  after?: { owner: string; dueAt: string; postReviewId: string };
}

export type ViewRow = Record<string, string | number | boolean | null>;

/** The live workflow map's window for one job type: work orders opened in [from, to), measured at asOf (default now). */
export interface LiveMapQuery {
  jobType: string;
  from?: string;
  to?: string;
  asOf?: string;
}

/** The rows of the live map's five views (steps, step-exceptions, gates, rules, exception-codes) for one window. */
export interface LiveMapViewRows {
  steps: ViewRow[];
  stepExceptions: ViewRow[];
  gates: ViewRow[];
  rules: ViewRow[];
  exceptionCodes: ViewRow[];
}

/** Each view's columns, in order (CSV headers, also for an empty answer); `version` follows the first with `groupBy=version`. */
const COLUMNS: Record<ViewName, string[]> = {
  closures: ['workOrderId', 'jobType', 'version', 'source', 'externalRef', 'owner', 'closedAt', 'evidence'],
  'exception-codes/top': ['code', 'count', 'workOrders', 'owner', 'openRemediations', 'open'],
  'exception-trends': ['period', 'code', 'count'],
  'stall-rates': ['jobType', 'workOrders', 'stalled', 'stallRate', 'stalledNow', 'active'],
  'post-reviews': [
    'postReviewId',
    'workOrderId',
    'exceptionId',
    'jobType',
    'owner',
    'createdAt',
    'dueAt',
    'overdue',
    'overdueBy',
    'overdueSeconds',
    'source',
    'externalRef',
    'exceptionCode',
    'exceptionStatus',
  ],
  'first-time-fix': ['jobType', 'closed', 'firstTimeFix', 'ratio'],
  approvals: [
    'approvalId',
    'workOrderId',
    'actionId',
    'jobType',
    'owner',
    'requestedBy',
    'status',
    'requestedAt',
    'expiresAt',
    'decidedBy',
    'age',
    'ageSeconds',
    'source',
    'externalRef',
  ],
  'evidence-completeness': [
    'jobType',
    'closures',
    'closuresWithEvidence',
    'closureShare',
    'stepsRequired',
    'stepsWithEvidence',
    'stepShare',
  ],
  steps: ['jobType', 'stepId', 'open', 'completed', 'blocked', 'stalled', 'p50Seconds', 'p95Seconds'],
  'step-exceptions': ['jobType', 'stepId', 'code', 'count'],
  gates: ['jobType', 'gate', 'pending', 'approved', 'conditional', 'rejected', 'expired', 'p50WaitSeconds'],
  rules: ['jobType', 'rule', 'decision', 'decisions'],
  'exception-codes': ['jobType', 'code', 'count', 'open', 'overdue', 'escalated'],
  exceptions: [
    'exceptionId',
    'workOrderId',
    'jobType',
    'code',
    'owner',
    'stepId',
    'status',
    'raisedAt',
    'dueAt',
    'resolvedAt',
    'slaBreached',
    'escalated',
    'escalatedTo',
    'escalatedAt',
    'source',
    'externalRef',
  ],
};

export function viewColumns(view: ViewName, groupBy?: 'version'): string[] {
  const columns = COLUMNS[view];
  if (groupBy !== 'version' || columns.includes('version')) return columns;
  const at = view === 'exception-trends' ? 2 : 1;
  return [...columns.slice(0, at), 'version', ...columns.slice(at)];
}

/**
 * How far the views have folded the ledger (`workgate.ledger.views-position`): the gateway waits on
 * it before a read that must see a write (docs/api.md, Conventions (read your writes)).
 */
export interface ViewsPosition {
  position: number;
}

/** The views' counts the gateway's metrics show (`workgate.ledger.view-counts`; docs/operations.md, Metrics). */
export interface ViewCounts {
  /** Approvals requested or conditional, not yet decided. */
  approvalsPending: number;
  /** Post-reviews past their due time and not completed. */
  postReviewsOverdue: number;
  /** Messages set aside as dead letters. */
  deadLetters: number;
}

/** How `workgate.ledger.compare` groups work orders: by their workflow version's department, or by job type. */
export const COMPARE_BY = ['department', 'jobType'] as const;
export type CompareBy = (typeof COMPARE_BY)[number];

/** The comparison of departments or job types (docs/views.md, Departments and comparisons). */
export interface CompareQuery {
  /** [from, to) on the work order's closure, RFC 3339. */
  from?: string;
  to?: string;
  /** The instant overdue post-reviews are measured at (default: now). */
  asOf?: string;
  /** Default `department`. */
  by?: CompareBy;
}

/** One group's row: the work orders closed in the window and how their work went. */
export interface CompareRow {
  /** by=department: the department (null: workflows that name none); by=jobType: the job type. */
  department?: string | null;
  jobType?: string;
  workOrders: number;
  firstTimeFix: number;
  firstTimeFixRate: number | null;
  exceptions: number;
  exceptionsPer100: number | null;
  /** Code -> exceptions per 100 work orders. */
  exceptionsPer100ByCode: Record<string, number>;
  closuresWithEvidence: number;
  closureEvidenceShare: number | null;
  stepsRequired: number;
  stepsWithEvidence: number;
  stepEvidenceShare: number | null;
  /** Time from opening to closure, nearest rank, in seconds. */
  timeToCloseP50Seconds: number | null;
  timeToCloseP95Seconds: number | null;
  /** p95 / p50: how far the slow closures are from the typical one. */
  timeToCloseSpread: number | null;
  breakGlass: number;
  breakGlassRate: number | null;
  overduePostReviews: number;
}

/** The columns of the comparison's CSV, in order (the codes as `CODE=n` pairs in one cell). */
export const compareColumns = (by: CompareBy): string[] => [
  by,
  'workOrders',
  'firstTimeFix',
  'firstTimeFixRate',
  'exceptions',
  'exceptionsPer100',
  'exceptionsPer100ByCode',
  'closuresWithEvidence',
  'closureEvidenceShare',
  'stepsRequired',
  'stepsWithEvidence',
  'stepEvidenceShare',
  'timeToCloseP50Seconds',
  'timeToCloseP95Seconds',
  'timeToCloseSpread',
  'breakGlass',
  'breakGlassRate',
  'overduePostReviews',
];
