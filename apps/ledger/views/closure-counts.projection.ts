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
 * counts them (their times to close: ClosureBucketRow).
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
}

/**
 * The times to close of the work orders of one workflow version closed on one day (UTC) that fall
 * in one of the step durations' buckets (4% wide): how many, and their sum in milliseconds.
 */
export interface ClosureBucketRow {
  /** job type, version, day and bucket, joined by spaces. */
  key: string;
  jobType: string;
  version: number;
  day: string;
  bucket: number;
  closures: number;
  millis: number;
}

/** Times to close counted in buckets: closures per bucket (none zero), and their times summed in milliseconds (absent: 0). */
export interface TimesToClose {
  seconds: Record<string, number>;
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
]);

export const closureBucketsTable = new ViewTable<ClosureBucketRow>('view_closure_buckets', 'key', [
  ['key', 'text', 'key'],
  ['job_type', 'text', 'jobType'],
  ['version', 'int', 'version'],
  ['day', 'text', 'day'],
  ['bucket', 'int', 'bucket'],
  ['closures', 'int', 'closures'],
  ['millis', 'float8', 'millis'],
]);

/** The version and day a closed work order counts on, or undefined while it is not closed. */
function closedOn(row: Closure): Pick<ClosureCountsRow, 'key' | 'jobType' | 'version' | 'day'> | undefined {
  if (row.closedAt === null) return undefined;
  const day = dayOf(row.closedAt);
  return { key: [row.jobType, row.version, day].join(' '), jobType: row.jobType, version: row.version, day };
}

/** What a work order adds to the counts: one row on the day it was (last) closed; none while it is not closed. */
export function closureCountsOf(row: Closure): ClosureCountsRow[] {
  const key = closedOn(row);
  if (!key) return [];
  return [
    {
      ...key,
      workOrders: 1,
      firstTimeFix: row.exceptionsTotal === 0 && row.reopened === 0 ? 1 : 0,
      closuresWithEvidence: row.evidenceMissing ? 0 : 1,
      stepsRequired: row.stepsRequired,
      stepsWithEvidence: Math.min(row.stepsCompleted, row.stepsRequired),
      breakGlass: row.breakGlass ? 1 : 0,
      codes: { ...row.exceptionCodes },
    },
  ];
}

/** What a work order adds to the times to close: one closure in its bucket on the day it was (last) closed. */
export function closureBucketsOf(row: Closure): ClosureBucketRow[] {
  const on = closedOn(row);
  if (!on || row.closedAt === null) return [];
  const ms = Date.parse(row.closedAt) - Date.parse(row.openedAt);
  const bucket = durationBucket(ms / 1000);
  return [{ ...on, key: `${on.key} ${bucket}`, bucket, closures: 1, millis: ms }];
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
  return into;
}

/**
 * The `p` (0..1) percentile of the times to close counted, nearest rank (as Postgres'
 * percentile_disc: the smallest time with at least share p of the closures at or below it), in
 * seconds: the mean of the bucket holding that rank, to the millisecond. It is within the bucket's
 * width of the exact one (4%, or 1 s), and exact when that bucket's closures took the same time.
 * Null when nothing is counted.
 */
export function timeToClose(c: TimesToClose, p: number): number | null {
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
    !Object.keys(r.codes).length,
};

/** `view_closure_buckets`: the sum of the times to close of every work order's row (`closureBucketsOf`). */
export const closureBuckets: Counts<Closure, ClosureBucketRow> = {
  table: closureBucketsTable,
  of: closureBucketsOf,
  none: ({ key, jobType, version, day, bucket }) => ({ key, jobType, version, day, bucket, closures: 0, millis: 0 }),
  addInto: (into, c, sign = 1) => {
    into.closures += sign * c.closures;
    into.millis += sign * c.millis;
    return into;
  },
  isZero: (r) => !r.closures && !r.millis,
};
