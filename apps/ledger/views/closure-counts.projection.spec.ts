import fc from 'fast-check';
import { Closure, closureCounts, closureCountsOf, ClosureCountsRow, timeToClose } from './closure-counts.projection';
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
      ...{ codes: {}, seconds: {}, millis: {} },
    };
    s.workOrders++;
    if (!r.exceptionsTotal && !r.reopened) s.firstTimeFix++;
    if (!r.evidenceMissing) s.closuresWithEvidence++;
    s.stepsRequired += r.stepsRequired;
    s.stepsWithEvidence += Math.min(r.stepsCompleted, r.stepsRequired);
    if (r.breakGlass) s.breakGlass++;
    for (const [code, n] of Object.entries(r.exceptionCodes)) s.codes[code] = (s.codes[code] ?? 0) + n;
    const ms = Date.parse(r.closedAt) - Date.parse(r.openedAt);
    const bucket = String(durationBucket(ms / 1000));
    s.seconds[bucket] = (s.seconds[bucket] ?? 0) + 1;
    s.millis[bucket] = (s.millis[bucket] ?? 0) + ms;
    sums.set(key, s);
  }
  for (const s of sums.values()) for (const k in s.millis) if (!s.millis[k]) delete s.millis[k];
  return sums;
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
        const counts = recounted(ms.map((t) => ({ ...base, closedAt: iso(t) })));
        const sum = [...counts.values()].reduce((a, c) => closureCounts.addInto(a, c), closureCounts.none(one));
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
    const sum = [...recounted(hours.map((t) => ({ ...base, closedAt: iso(t) }))).values()].reduce(
      (a, c) => closureCounts.addInto(a, c),
      closureCounts.none(one),
    );
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
          for (const changes of pages) {
            // A page reads its rows as stored, changes some (a closure, a reopen, a new row), and adds the difference.
            const rows = new Map(stored);
            const page = new CountRows({ rows }, closureCounts);
            void page.read();
            for (const [id, row] of changes) rows.set(String(id), row);
            for (const [key, d] of page.changes()) {
              const row = kept.get(key);
              kept.set(key, closureCounts.addInto(row ?? closureCounts.none(d), d));
            }
            for (const [id, row] of rows) stored.set(id, row);
          }
          const want = recounted(stored.values());
          for (const [key, row] of kept) if (!want.has(key)) expect(closureCounts.isZero(row)).toBe(true);
          for (const [key, row] of want) expect(kept.get(key)).toEqual(row);
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
    expect(Object.values(c.millis)).toEqual([9_000_000]);
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
const [one] = closureCountsOf({ ...base, closedAt: iso(1) });
