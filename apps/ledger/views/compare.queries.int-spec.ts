import { CompareQuery, CompareRow } from '@workgate/contracts';
import { LedgerWriter, ProjectionRunner, rebuildProjection } from '@workgate/event-store';
import { history, historyWorkflows } from '../../../bench/history';
import { scannedCompare } from '../../../bench/compare-scan';
import { freshDatabase, SERVICE_ROLES, TestDatabase } from '../../../test/support/database';
import { compareGroups } from './compare.queries';
import { viewsProjection } from './views.projection';

const NOW = Date.parse('2026-11-20T15:37:12.345Z');
const DAY = 86_400_000;
const ago = (days: number) => new Date(NOW - days * DAY).toISOString();
const midnight = (daysAgo: number) => new Date(Math.floor((NOW - daysAgo * DAY) / DAY) * DAY).toISOString();

/** Windows aligned to days and not, across days and inside one, from the start, measured now and in the past. */
const QUERIES: CompareQuery[] = [
  {},
  { by: 'jobType' },
  { by: 'jobType', asOf: ago(10.3) },
  { from: ago(7.45), to: ago(0) },
  { by: 'jobType', from: midnight(5), to: midnight(2) },
  { by: 'jobType', from: midnight(9), asOf: midnight(3) },
  { by: 'jobType', from: ago(3.5), to: ago(3.2) },
  { from: ago(12.1), asOf: ago(4.6) },
  { by: 'jobType', to: ago(20.01) },
  { asOf: ago(40) },
];

/** Every number but the times to close (and their spread), which must be near the exact ones. */
const exact = (r: CompareRow) => ({
  ...r,
  timeToCloseP50Seconds: undefined,
  timeToCloseP95Seconds: undefined,
  timeToCloseSpread: undefined,
});

/**
 * The department comparison read from the closures counted by day (and the work orders closed on
 * the window's partial days, and the post-reviews open at asOf) answers what a scan of every work
 * order closed in the window answers, for a generated ledger followed page by page: every count
 * the same, each time to close within 4% or 1 s of the exact nearest rank; after a rebuild too.
 */
describe('the department comparison equals a scan of the closed work orders', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await freshDatabase();
    const writer = new LedgerWriter(db.url, { role: 'workgate_ledger' });
    await writer.start();
    for (const a of historyWorkflows(ago(31))) await writer.append(a);
    const workOrders = [...history(13, 1500, NOW)];
    let next = 0;
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (next < workOrders.length) for (const a of workOrders[next++]) await writer.append(a);
      }),
    );
    await writer.stop();
    // Small pages: a work order is closed, reopened and closed again over many of them.
    await new ProjectionRunner(db.viewsPool(), [viewsProjection], { window: 700 }).catchUp();
    // Departments for some versions (the generated workflows name none): the groups are joined when asked.
    await db.ownerPool().query(`UPDATE view_workflows SET department = CASE
      WHEN job_type = 'field-work-order' THEN 'field-service'
      WHEN job_type = 'support-recovery' AND version = 1 THEN 'support' END`);
  }, 120_000);
  afterAll(() => db.drop());

  const compare = async () => {
    const app = db.appPool();
    let rows = 0;
    for (const query of QUERIES) {
      const asOf = query.asOf ?? new Date(NOW).toISOString();
      const scanned = await scannedCompare(app, query, asOf);
      const counted = await compareGroups(app, { ...query, asOf });
      expect(counted.map(exact)).toEqual(scanned.map(exact));
      counted.forEach((r, i) => {
        for (const p of ['timeToCloseP50Seconds', 'timeToCloseP95Seconds'] as const) {
          const want = scanned[i][p];
          if (want === null) expect(r[p]).toBeNull();
          else expect(Math.abs(Number(r[p]) - want)).toBeLessThanOrEqual(Math.max(1, 0.04 * Math.abs(want)));
        }
      });
      rows += scanned.length;
    }
    return rows;
  };

  it('answers every window as the scan does', async () => {
    const app = db.appPool();
    // The windows are not all empty, and hold what each measure counts.
    expect(await compare()).toBeGreaterThan(QUERIES.length * 2);
    const all = await compareGroups(app, { by: 'jobType', asOf: new Date(NOW).toISOString() });
    const total = (f: (r: CompareRow) => number) => all.reduce((n, r) => n + f(r), 0);
    expect(total((r) => r.breakGlass)).toBeGreaterThan(0);
    expect(total((r) => r.exceptions)).toBeGreaterThan(0);
    expect(total((r) => r.workOrders - r.firstTimeFix)).toBeGreaterThan(0);
    expect(total((r) => r.workOrders - r.closuresWithEvidence)).toBeGreaterThan(0);
    const past = await compareGroups(app, { by: 'jobType', asOf: ago(10.3) });
    expect(past.reduce((n, r) => n + r.overduePostReviews, 0)).toBeGreaterThan(0);
    const departments = (await compareGroups(app, { asOf: new Date(NOW).toISOString() })).map((r) => r.department);
    expect(departments).toEqual(['field-service', 'support', null]);
  }, 60_000);

  it('answers the same after a rebuild of the views', async () => {
    const result = await rebuildProjection(db.ownerPool(), viewsProjection, { roles: SERVICE_ROLES });
    expect(result.differences.view_closure_counts).toBe(0);
    expect(result.differences.view_closure_buckets).toBe(0);
    expect(result.differences.view_work_orders).toBe(0);
    expect(await compare()).toBeGreaterThan(QUERIES.length * 2);
  }, 120_000);
});
