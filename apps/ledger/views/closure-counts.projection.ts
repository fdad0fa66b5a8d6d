import { Counts, dayOf } from './day-counts';
import { durationBucket } from './step-counts.projection';
import { ViewTable } from './view-table';
import { WorkOrderRow } from './work-orders.projection';

/** What a work order's row tells of its closure: the columns the department comparison counts. */
export type Closure = Pick<
  WorkOrderRow,
  | 'jobType'
  | 'version'
  | 'openedAt'
  | 'closedAt'
  | 'exceptionsTotal'
  | 'reopened'
  | 'evidenceMissing'
  | 'stepsRequired'
  | 'stepsCompleted'
  | 'exceptionCodes'
  | 'breakGlass'
>;

/**
 * The work orders of one workflow version closed on one day (UTC), as the department comparison
 * counts them. Times to close are counted in the step durations' buckets (4% wide), each with
 * the sum of the times it holds, in milliseconds.
 */
export interface ClosureCountsRow {
  /** job type, version and day, joined by spaces. */
  key: string;
  jobType: string;
  version: number;
  /** YYYY-MM-DD. */
  day: string;
  workOrders: number;
  /** Closed with no exception and no reopen. */
  firstTimeFix: number;
  closuresWithEvidence: number;
  stepsRequired: number;
  /** Steps completed, at most the steps required, per work order. */
  stepsWithEvidence: number;
  /** Work orders that owe a post-review. */
  breakGlass: number;
  /** Exceptions per code (none zero). */
  codes: Record<string, number>;
  /** Closures per time-to-close bucket (bucket -> count, none zero). */
  seconds: Record<string, number>;
  /** The times to close of each bucket's closures, summed in milliseconds. */
  millis: Record<string, number>;
}

export const closureCountsTable = new ViewTable<ClosureCountsRow>('view_closure_counts', 'key', [
  ['key', 'text', 'key'],
  ['job_type', 'text', 'jobType'],
  ['version', 'int', 'version'],
  ['day', 'text', 'day'],
  ['work_orders', 'int', 'workOrders'],
  ['first_time_fix', 'int', 'firstTimeFix'],
  ['closures_with_evidence', 'int', 'closuresWithEvidence'],
  ['steps_required', 'int', 'stepsRequired'],
  ['steps_with_evidence', 'int', 'stepsWithEvidence'],
  ['break_glass', 'int', 'breakGlass'],
  ['codes', 'jsonb', 'codes'],
  ['seconds', 'jsonb', 'seconds'],
  ['millis', 'jsonb', 'millis'],
]);

/** What a work order adds to the counts: one row on the day it was (last) closed; none while it is not closed. */
export function closureCountsOf(row: Closure): ClosureCountsRow[] {
  if (row.closedAt === null) return [];
  const day = dayOf(row.closedAt);
  const key = { key: [row.jobType, row.version, day].join(' '), jobType: row.jobType, version: row.version, day };
  return [closureOf(key, row, Date.parse(row.closedAt) - Date.parse(row.openedAt))];
}

/** What a work order closed after `ms` milliseconds adds to the counts of `key` (its version and day). */
export function closureOf(
  key: Pick<ClosureCountsRow, 'key' | 'jobType' | 'version' | 'day'>,
  row: Omit<Closure, 'jobType' | 'version' | 'openedAt' | 'closedAt'>,
  ms: number,
): ClosureCountsRow {
  const bucket = durationBucket(ms / 1000);
  return {
    ...key,
    workOrders: 1,
    firstTimeFix: row.exceptionsTotal === 0 && row.reopened === 0 ? 1 : 0,
    closuresWithEvidence: row.evidenceMissing ? 0 : 1,
    stepsRequired: row.stepsRequired,
    stepsWithEvidence: Math.min(row.stepsCompleted, row.stepsRequired),
    breakGlass: row.breakGlass ? 1 : 0,
    codes: { ...row.exceptionCodes },
    seconds: { [bucket]: 1 },
    millis: { [bucket]: ms },
  };
}

/** No counts yet, for `c`'s version and day. */
const none = (c: ClosureCountsRow): ClosureCountsRow => ({
  key: c.key,
  jobType: c.jobType,
  version: c.version,
  day: c.day,
  workOrders: 0,
  firstTimeFix: 0,
  closuresWithEvidence: 0,
  stepsRequired: 0,
  stepsWithEvidence: 0,
  breakGlass: 0,
  codes: {},
  seconds: {},
  millis: {},
});

/** Adds `sign` times `c`'s counts into `into` (a sum being made: changed in place, zeros dropped). */
function addInto(into: ClosureCountsRow, c: ClosureCountsRow, sign: 1 | -1 = 1): ClosureCountsRow {
  const sum = (x: Record<string, number>, y: Record<string, number>) => {
    for (const k in y) {
      x[k] = (x[k] ?? 0) + sign * y[k];
      if (!x[k]) delete x[k];
    }
  };
  into.workOrders += sign * c.workOrders;
  into.firstTimeFix += sign * c.firstTimeFix;
  into.closuresWithEvidence += sign * c.closuresWithEvidence;
  into.stepsRequired += sign * c.stepsRequired;
  into.stepsWithEvidence += sign * c.stepsWithEvidence;
  into.breakGlass += sign * c.breakGlass;
  sum(into.codes, c.codes);
  sum(into.seconds, c.seconds);
  // A bucket's times may sum to zero with closures in it (times of 0 ms): absent, its sum is 0.
  sum(into.millis, c.millis);
  return into;
}

/**
 * The `p` (0..1) percentile of the times to close counted, nearest rank (as Postgres'
 * percentile_disc: the smallest time with at least share p of the closures at or below it), in
 * seconds: the mean of the bucket holding that rank, to the millisecond. It is within the bucket's
 * width of the exact one (4%, or 1 s), and exact when that bucket's closures took the same time.
 * Null when nothing is counted.
 */
export function timeToClose(c: Pick<ClosureCountsRow, 'seconds' | 'millis'>, p: number): number | null {
  const buckets = Object.entries(c.seconds).sort((a, b) => Number(a[0]) - Number(b[0]));
  const total = buckets.reduce((sum, [, n]) => sum + n, 0);
  if (!total) return null;
  const rank = Math.max(1, Math.ceil(p * total));
  let seen = 0;
  for (const [k, n] of buckets) {
    seen += n;
    if (rank <= seen) return Math.round((c.millis[k] ?? 0) / n) / 1000;
  }
  return null;
}

/** `view_closure_counts`: the sum of what every work order's row adds (`closureCountsOf`). */
export const closureCounts: Counts<Closure, ClosureCountsRow> = {
  table: closureCountsTable,
  of: closureCountsOf,
  none,
  addInto,
  isZero: (r) =>
    !r.workOrders &&
    !r.firstTimeFix &&
    !r.closuresWithEvidence &&
    !r.stepsRequired &&
    !r.stepsWithEvidence &&
    !r.breakGlass &&
    !Object.keys(r.codes).length &&
    !Object.keys(r.seconds).length &&
    !Object.keys(r.millis).length,
};
