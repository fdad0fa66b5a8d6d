import fc from 'fast-check';
import {
  Closure,
  ClosureBucketRow,
  closureBuckets,
  closureBucketsOf,
  closureCounts,
  closureCountsOf,
  ClosureCountsRow,
  timeToClose,
  TimesToClose,
} from './closure-counts.projection';
import { CountRows } from './day-counts';
import { durationBucket } from './step-counts.projection';

const T = Date.parse('2026-11-01T00:00:00Z');
const iso = (ms: number) => new Date(T + ms).toISOString();

/** Nearest rank over exact values, as Postgres' percentile_disc reads them. */
function nearestRank(values: number[], p: number): number | null {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length ? sorted[Math.max(1, Math.ceil(p * sorted.length)) - 1] : null;
}

/** The counts as one sum over the closed rows, written out measure by measure (not through addInto). */
function recounted(rows: Iterable<Closure | null>): Map<string, ClosureCountsRow> {
  const sums = new Map<string, ClosureCountsRow>();
  for (const r of rows) {
    if (!r?.closedAt) continue;
    const day = r.closedAt.slice(0, 10);
    const key = `${r.jobType} ${r.version} ${day}`;
    const s = sums.get(key) ?? {
      ...{ key, jobType: r.jobType, version: r.version, day, workOrders: 0, firstTimeFix: 0 },
      ...{ closuresWithEvidence: 0, stepsRequired: 0, stepsWithEvidence: 0, breakGlass: 0 },
      codes: {},
    };
    s.workOrders++;
    if (!r.exceptionsTotal && !r.reopened) s.firstTimeFix++;
    if (!r.evidenceMissing) s.closuresWithEvidence++;
    s.stepsRequired += r.stepsRequired;
    s.stepsWithEvidence += Math.min(r.stepsCompleted, r.stepsRequired);
    if (r.breakGlass) s.breakGlass++;
    for (const [code, n] of Object.entries(r.exceptionCodes)) s.codes[code] = (s.codes[code] ?? 0) + n;
    sums.set(key, s);
  }
  return sums;
}

/** The times to close as one sum over the closed rows, per version, day and bucket. */
function recountedBuckets(rows: Iterable<Closure | null>): Map<string, ClosureBucketRow> {
  const sums = new Map<string, ClosureBucketRow>();
  for (const r of rows) {
    if (!r?.closedAt) continue;
    const day = r.closedAt.slice(0, 10);
    const ms = Date.parse(r.closedAt) - Date.parse(r.openedAt);
    const bucket = durationBucket(ms / 1000);
    const key = `${r.jobType} ${r.version} ${day} ${bucket}`;
    const s = sums.get(key) ?? { key, jobType: r.jobType, version: r.version, day, bucket, closures: 0, millis: 0 };
    s.closures++;
    s.millis += ms;
    sums.set(key, s);
  }
  return sums;
}

/** Bucket rows of any days and versions as the comparison adds them up for a group. */
function timesOf(rows: Iterable<ClosureBucketRow>): TimesToClose {
  const times: TimesToClose = { seconds: {}, millis: {} };
  for (const r of rows) {
    times.seconds[r.bucket] = (times.seconds[r.bucket] ?? 0) + r.closures;
    times.millis[r.bucket] = (times.millis[r.bucket] ?? 0) + r.millis;
  }
  return times;
}

/** A work order's row as the comparison reads it: closed or not, on one of a few days, after up to a few weeks. */
const closure: fc.Arbitrary<Closure> = fc
  .record({
    jobType: fc.constantFrom('fix', 'audit'),
    version: fc.constantFrom(1, 2),
    opened: fc.integer({ min: 0, max: 3 * 86_400_000 }),
    took: fc.option(fc.integer({ min: 0, max: 21 * 86_400_000 }), { nil: null }),
    exceptionCodes: fc.dictionary(fc.constantFrom('A', 'B_C', 'D'), fc.integer({ min: 1, max: 3 })),
    reopened: fc.integer({ min: 0, max: 2 }),
    evidenceMissing: fc.boolean(),
    stepsRequired: fc.integer({ min: 0, max: 5 }),
    stepsCompleted: fc.integer({ min: 0, max: 7 }),
    breakGlass: fc.boolean(),
  })
  .map(({ opened, took, ...r }) => ({
    ...r,
    openedAt: iso(opened),
    closedAt: took === null ? null : iso(opened + took),
    exceptionsTotal: Object.values(r.exceptionCodes).reduce((a, b) => a + b, 0),
  }));

describe('closure counts', () => {
  it('reads times to close within 4% (or 1 s) of the exact nearest rank, exact when a bucket holds one time', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 40 * 86_400_000 }), { maxLength: 300 }), (ms) => {
        const sum = timesOf(recountedBuckets(ms.map((t) => ({ ...base, closedAt: iso(t) }))).values());
        for (const p of [0.5, 0.95]) {
          const want = nearestRank(
            ms.map((t) => t / 1000),
            p,
          );
          const read = timeToClose(sum, p);
          if (want === null) expect(read).toBeNull();
          else expect(Math.abs((read ?? NaN) - want)).toBeLessThanOrEqual(Math.max(1, 0.04 * want));
        }
      }),
      { numRuns: 200 },
    );
    // Whole hours, each alone in its bucket or with equal ones: exact.
    const hours = [2, 2, 2, 0.5, 5, 1, 0.75].map((h) => h * 3_600_000);
    const sum = timesOf(recountedBuckets(hours.map((t) => ({ ...base, closedAt: iso(t) }))).values());
    expect([0.3, 0.5, 0.95].map((p) => timeToClose(sum, p))).toEqual([3600, 7200, 18_000]);
  });

  it('keeps, page after page, the sum of what every row counts now', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.array(fc.tuple(fc.integer({ min: 0, max: 5 }), fc.option(closure, { nil: null })), { maxLength: 6 }),
          {
            maxLength: 8,
          },
        ),
        (pages) => {
          const stored = new Map<string, Closure | null>();
          const kept = new Map<string, ClosureCountsRow>();
          const keptBuckets = new Map<string, ClosureBucketRow>();
          for (const changes of pages) {
            // A page reads its rows as stored, changes some (a closure, a reopen, a new row), and adds the difference.
            const rows = new Map(stored);
            const page = new CountRows({ rows }, closureCounts);
            const buckets = new CountRows({ rows }, closureBuckets);
            void page.read();
            void buckets.read();
            for (const [id, row] of changes) rows.set(String(id), row);
            for (const [key, d] of page.changes())
              kept.set(key, closureCounts.addInto(kept.get(key) ?? closureCounts.none(d), d));
            for (const [key, d] of buckets.changes())
              keptBuckets.set(key, closureBuckets.addInto(keptBuckets.get(key) ?? closureBuckets.none(d), d));
            for (const [id, row] of rows) stored.set(id, row);
          }
          const want = recounted(stored.values());
          for (const [key, row] of kept) if (!want.has(key)) expect(closureCounts.isZero(row)).toBe(true);
          for (const [key, row] of want) expect(kept.get(key)).toEqual(row);
          const wantBuckets = recountedBuckets(stored.values());
          for (const [key, row] of keptBuckets)
            if (!wantBuckets.has(key)) expect(closureBuckets.isZero(row)).toBe(true);
          for (const [key, row] of wantBuckets) expect(keptBuckets.get(key)).toEqual(row);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('counts a work order on the day (UTC) of its last closure, none while it is open', () => {
    const closed = { ...base, openedAt: '2026-11-03T22:00:00.000Z', closedAt: '2026-11-04T00:30:00.000Z' };
    expect(closureCountsOf({ ...closed, closedAt: null })).toEqual([]);
    const [c] = closureCountsOf({ ...closed, exceptionCodes: { X: 2 }, exceptionsTotal: 2, breakGlass: true });
    expect(c).toMatchObject({
      key: 'fix 1 2026-11-04',
      workOrders: 1,
      firstTimeFix: 0,
      breakGlass: 1,
      codes: { X: 2 },
    });
    expect(closureBucketsOf({ ...closed, closedAt: null })).toEqual([]);
    // 2.5 h: bucket 1 + floor(ln(9000) / ln(1.04)) = 233.
    expect(closureBucketsOf(closed)).toEqual([
      {
        key: 'fix 1 2026-11-04 233',
        jobType: 'fix',
        version: 1,
        day: '2026-11-04',
        bucket: 233,
        closures: 1,
        millis: 9_000_000,
      },
    ]);
  });
});

const base: Closure = {
  jobType: 'fix',
  version: 1,
  openedAt: iso(0),
  closedAt: null,
  exceptionsTotal: 0,
  reopened: 0,
  evidenceMissing: false,
  stepsRequired: 2,
  stepsCompleted: 2,
  exceptionCodes: {},
  breakGlass: false,
};
