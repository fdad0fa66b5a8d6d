/** The evidence views (SPEC section 5): their names and the query every one of them takes. */
export const VIEW_NAMES = ['closures', 'exception-codes/top', 'exception-trends', 'stall-rates', 'post-reviews', 'first-time-fix', 'approvals', 'evidence-completeness'] as const;
export type ViewName = (typeof VIEW_NAMES)[number];

export interface ViewQuery {
  view: ViewName;
  /** [from, to) on the view's own time (raised, opened, closed, requested, created); RFC 3339. */
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
  /** exception-trends: one code only. */
  code?: string;
  /** post-reviews: only those past due at asOf. */
  overdue?: boolean;
  /** approvals: `pending` (default: requested or conditional), `all`, or one status. */
  status?: string;
  /** approvals, post-reviews: one owner only. */
  owner?: string;
  /** closures: `missing` lists only closures without closure evidence. */
  evidence?: 'missing';
}

export type ViewRow = Record<string, string | number | boolean | null>;
