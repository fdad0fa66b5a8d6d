import { Counts, dayOf } from './day-counts';
import { StepsRow } from './steps.projection';
import { ViewTable } from './view-table';

/**
 * Step durations are counted in buckets 4% wide: bucket 0 holds [0, 1) s, bucket k >= 1 holds
 * [1.04^(k-1), 1.04^k) s. A percentile read from the counts is within 4% (or 1 s) of the exact one.
 */
const GROWTH = 1.04;

/** The bucket a step's duration in seconds is counted in. */
export const durationBucket = (seconds: number): number =>
  seconds < 1 ? 0 : 1 + Math.floor(Math.log(seconds) / Math.log(GROWTH));

/** The duration a bucket stands for: the middle of its range (geometric, so 2% from either end). */
export const bucketSeconds = (bucket: number): number => (bucket === 0 ? 0.5 : GROWTH ** (bucket - 0.5));

/**
 * The `p` percentile (0..1) of the durations counted in `histogram` (count per bucket), as
 * Postgres' percentile_cont reads sorted values (interpolated between the two nearest ranks),
 * each duration taken as its bucket's; rounded to whole seconds, null when nothing is counted.
 */
export function percentileOf(histogram: Readonly<Record<string, number>>, p: number): number | null {
  const counts = Object.entries(histogram)
    .map(([k, n]) => [Number(k), n] as const)
    .sort((a, b) => a[0] - b[0]);
  const total = counts.reduce((sum, [, n]) => sum + n, 0);
  if (!total) return null;
  const rank = p * (total - 1);
  const at = (r: number): number => {
    let seen = 0;
    for (const [k, n] of counts) {
      seen += n;
      if (r < seen) return bucketSeconds(k);
    }
    return bucketSeconds(counts[counts.length - 1][0]);
  };
  const lo = Math.floor(rank);
  const low = at(lo);
  return Math.round(low + (rank - lo) * (at(Math.ceil(rank)) - low));
}

/** One step of one workflow version over the work orders opened on one day (UTC). */
export interface StepCountsRow {
  /** job type, version, step and day, joined by spaces. */
  key: string;
  jobType: string;
  version: number;
  stepId: string;
  /** YYYY-MM-DD. */
  day: string;
  /** The step's place in the definition. */
  i: number;
  /** Work orders with this step. */
  workOrders: number;
  completed: number;
  /** Completions per duration bucket (bucket -> count, none zero). */
  seconds: Record<string, number>;
  /** Times the step was blocked, and per code. */
  blocked: number;
  codes: Record<string, number>;
}

export const stepCountsTable = new ViewTable<StepCountsRow>('view_step_counts', 'key', [
  ['key', 'text', 'key'],
  ['job_type', 'text', 'jobType'],
  ['version', 'int', 'version'],
  ['step_id', 'text', 'stepId'],
  ['day', 'text', 'day'],
  ['i', 'int', 'i'],
  ['work_orders', 'int', 'workOrders'],
  ['completed', 'int', 'completed'],
  ['seconds', 'jsonb', 'seconds'],
  ['blocked', 'int', 'blocked'],
  ['codes', 'jsonb', 'codes'],
]);

/** What one work order's steps add to the counts: one row per step. */
export function countsOf(row: Pick<StepsRow, 'jobType' | 'version' | 'openedAt' | 'steps'>): StepCountsRow[] {
  const day = dayOf(row.openedAt);
  return Object.entries(row.steps).map(([stepId, s]) => {
    const seconds: Record<string, number> = s.seconds === null ? {} : { [durationBucket(s.seconds)]: 1 };
    const codes: Record<string, number> = {};
    for (const code of s.blocked) codes[code] = (codes[code] ?? 0) + 1;
    return {
      key: [row.jobType, row.version, stepId, day].join(' '),
      jobType: row.jobType,
      version: row.version,
      stepId,
      day,
      i: s.i,
      workOrders: 1,
      completed: s.completedAt !== null ? 1 : 0,
      seconds,
      blocked: s.blocked.length,
      codes,
    };
  });
}

/** No counts yet, for `b`'s step and day. */
const none = (b: StepCountsRow): StepCountsRow => ({
  ...b,
  workOrders: 0,
  completed: 0,
  seconds: {},
  blocked: 0,
  codes: {},
});

/** Adds `sign` times `b`'s counts into `into` (a sum being made: changed in place, zeros dropped). */
function addInto(into: StepCountsRow, b: StepCountsRow, sign: 1 | -1 = 1): StepCountsRow {
  const sum = (x: Record<string, number>, y: Record<string, number>) => {
    for (const k in y) {
      x[k] = (x[k] ?? 0) + sign * y[k];
      if (!x[k]) delete x[k];
    }
  };
  into.i = Math.min(into.i, b.i);
  into.workOrders += sign * b.workOrders;
  into.completed += sign * b.completed;
  into.blocked += sign * b.blocked;
  sum(into.seconds, b.seconds);
  sum(into.codes, b.codes);
  return into;
}

/** `a` plus `sign` times `b`'s counts (same step and day; a fresh row, zeros dropped). */
export const added = (a: StepCountsRow | undefined, b: StepCountsRow, sign: 1 | -1 = 1): StepCountsRow =>
  addInto(a ? addInto(none(a), a) : none(b), b, sign);

/** `view_step_counts`: the sum of what every work order's steps row adds (`countsOf`). */
export const stepCounts: Counts<StepsRow, StepCountsRow> = {
  table: stepCountsTable,
  of: countsOf,
  none,
  addInto,
  isZero: (r) =>
    !r.workOrders && !r.completed && !r.blocked && !Object.keys(r.seconds).length && !Object.keys(r.codes).length,
};
