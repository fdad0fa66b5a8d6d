import { CountRows } from './day-counts';
import { added, bucketSeconds, countsOf, durationBucket, percentileOf, stepCounts } from './step-counts.projection';
import { StepsRow } from './steps.projection';

/** Postgres' percentile_cont over exact values, rounded as the views round it. */
function percentileCont(values: number[], p: number): number | null {
  if (!values.length) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = p * (sorted.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  return Math.round(sorted[lo] + (rank - lo) * (sorted[hi] - sorted[lo]));
}

/** A deterministic spread of durations from under a second to weeks. */
function durations(seed: number, n: number): number[] {
  let x = seed;
  return Array.from({ length: n }, () => {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    return Math.exp((x / 2 ** 31) * 15) - 1;
  });
}

const histogramOf = (values: number[]) => {
  const h: Record<string, number> = {};
  for (const v of values) h[durationBucket(v)] = (h[durationBucket(v)] ?? 0) + 1;
  return h;
};

const row = (steps: StepsRow['steps'], openedAt = '2026-11-03T23:59:59.999Z') => ({
  jobType: 'fix',
  version: 2,
  openedAt,
  steps,
});

describe('step counts', () => {
  it('buckets durations 4% wide, each standing for a duration within 2% of those it holds (or half a second)', () => {
    for (const s of [0, 0.4, 0.999, 1, 1.5, 59.9, 3600, 86_400 * 3 + 17, 2_000_000]) {
      const mid = bucketSeconds(durationBucket(s));
      expect(Math.abs(mid - s)).toBeLessThanOrEqual(Math.max(0.5, 0.02 * s + 1e-9));
    }
    expect(durationBucket(1.03)).toBe(durationBucket(1));
    expect(durationBucket(1.05)).toBe(durationBucket(1) + 1);
  });

  it('reads percentiles from the buckets within 4% or 1 s of the exact ones', () => {
    for (const [seed, n] of [
      [1, 1],
      [2, 2],
      [3, 7],
      [4, 100],
      [5, 5000],
    ]) {
      const values = durations(seed, n);
      for (const p of [0.5, 0.95]) {
        const exact = percentileCont(values, p) ?? 0;
        const read = percentileOf(histogramOf(values), p) ?? NaN;
        expect(Math.abs(read - exact)).toBeLessThanOrEqual(Math.max(1, 0.04 * exact));
      }
    }
    expect(percentileOf({}, 0.5)).toBeNull();
  });

  it('counts a work order on the day (UTC) it was opened, one row per step', () => {
    const counts = countsOf(
      row({
        a: { i: 0, completedAt: '2026-11-04T02:00:00Z', seconds: 7200, blocked: ['X', 'Y', 'X'] },
        b: { i: 1, completedAt: null, seconds: null, blocked: [] },
      }),
    );
    expect(counts.map((c) => c.key)).toEqual(['fix 2 a 2026-11-03', 'fix 2 b 2026-11-03']);
    expect(counts[0]).toMatchObject({ workOrders: 1, completed: 1, blocked: 3, codes: { X: 2, Y: 1 } });
    expect(counts[1]).toMatchObject({ workOrders: 1, completed: 0, blocked: 0, codes: {}, seconds: {} });
  });

  it('adds and takes back counts, dropping what comes to zero', () => {
    const [one] = countsOf(row({ a: { i: 0, completedAt: 'x', seconds: 10, blocked: ['X'] } }));
    const two = added(added(undefined, one), one);
    expect(two).toMatchObject({ workOrders: 2, completed: 2, blocked: 2, codes: { X: 2 } });
    expect(Object.values(two.seconds)).toEqual([2]);
    expect(added(two, one, -1)).toEqual(added(undefined, one));
    const none = added(added(undefined, one), one, -1);
    expect(none).toMatchObject({ workOrders: 0, completed: 0, blocked: 0, codes: {}, seconds: {} });
  });

  it("adds in a page what the page changed of the steps rows: the rows' counts after, less before", () => {
    const rows = new Map<string, StepsRow | null>();
    const progress = (completed: boolean, blocked: string[]) => ({
      i: 0,
      completedAt: completed ? '2026-11-04T01:00:00Z' : null,
      seconds: completed ? 3600 : null,
      blocked,
    });
    // A whole steps row: only its job type, version, opening and steps are counted.
    const steps = (completed: boolean, blocked: string[]): StepsRow => ({
      ...row({ a: progress(completed, blocked) }),
      workOrderId: 'w',
      lastDoneAt: '2026-11-03T23:59:59.999Z',
      nextStep: completed ? null : 'a',
      stuckStep: null,
      stalledStep: null,
      active: true,
      stuckSince: null,
      stalledAt: null,
      stallAfterMs: 3_600_000,
    });
    const before = steps(false, ['X']);
    rows.set('read', before);
    const page = new CountRows({ rows }, stepCounts);
    void page.read();
    rows.set('read', steps(true, ['X', 'Y']));
    rows.set('started', steps(false, []));
    const change = page.changes().get('fix 2 a 2026-11-03');
    // The read work order completed a and was blocked once more; the started one adds itself.
    expect(change).toMatchObject({ workOrders: 1, completed: 1, blocked: 1, codes: { Y: 1 } });
    expect(Object.values(change?.seconds ?? {})).toEqual([1]);
  });
});
