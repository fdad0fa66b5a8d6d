import { ViewQuery, ViewRow } from '@workgate/contracts';
import { LedgerWriter, ProjectionRunner, rebuildProjection } from '@workgate/event-store';
import { history, historyWorkflows } from '../../../bench/history';
import { freshDatabase, SERVICE_ROLES, TestDatabase } from '../../../test/support/database';
import { scannedExceptionCodes, scannedRules, scannedStepExceptions, scannedSteps } from '../../../bench/steps-scan';
import { exceptionCodes, gates, liveMapViews, rules, stepExceptions, steps } from './map.queries';
import { viewsProjection } from './views.projection';

const NOW = Date.parse('2026-11-20T15:37:12.345Z');
const DAY = 86_400_000;
const ago = (days: number) => new Date(NOW - days * DAY).toISOString();
const midnight = (daysAgo: number) => new Date(Math.floor((NOW - daysAgo * DAY) / DAY) * DAY).toISOString();

/** Windows aligned to days and not, across days and inside one, from the start, grouped by version or not. */
const QUERIES: Array<Omit<ViewQuery, 'view'>> = [
  {},
  { jobType: 'field-work-order' },
  { jobType: 'field-work-order', groupBy: 'version' },
  { jobType: 'support-recovery', asOf: ago(10.3) },
  { jobType: 'engagement-lifecycle', from: ago(7.45), to: ago(0) },
  { jobType: 'field-work-order', from: midnight(5), to: midnight(2) },
  { jobType: 'agent-delegation', from: midnight(9), asOf: midnight(3) },
  { from: ago(3.5), to: ago(3.2) },
  { jobType: 'support-recovery', groupBy: 'version', from: ago(12.1), asOf: ago(4.6) },
  { groupBy: 'version', to: ago(20.01) },
  { jobType: 'field-work-order', asOf: ago(40) },
];

/**
 * The live map's steps and rules views read from the counts by day (and the rows of the window's partial
 * days) answer what a scan of every work order of the window answers, for a generated ledger
 * followed page by page: every count the same, each percentile within 4% or 1 s; after a rebuild too.
 * exception-codes, read from the exceptions alone (each keeps its work order's opening), answers
 * what a join of every exception with the window's work orders answers.
 */
describe('steps, rules and exception-codes views equal a scan of the work orders', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await freshDatabase();
    const writer = new LedgerWriter(db.url, { role: 'workgate_ledger' });
    await writer.start();
    for (const a of historyWorkflows(ago(31))) await writer.append(a);
    const workOrders = [...history(11, 1500, NOW)];
    let next = 0;
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (next < workOrders.length) for (const a of workOrders[next++]) await writer.append(a);
      }),
    );
    await writer.stop();
    // Small pages: a work order's steps change over many of them.
    await new ProjectionRunner(db.viewsPool(), [viewsProjection], { window: 700 }).catchUp();
  }, 120_000);
  afterAll(() => db.drop());

  const compare = async () => {
    const app = db.appPool();
    let rows = 0;
    for (const query of QUERIES) {
      const asOf = query.asOf ?? new Date(NOW).toISOString();
      const stepsQ: ViewQuery = { ...query, view: 'steps' };
      const scanned = await scannedSteps(app, stepsQ, asOf);
      const counted = await steps(app, stepsQ, asOf);
      const exact = (r: ViewRow) => ({ ...r, p50Seconds: undefined, p95Seconds: undefined });
      expect(counted.map(exact)).toEqual(scanned.map(exact));
      counted.forEach((r, i) => {
        for (const p of ['p50Seconds', 'p95Seconds']) {
          const want = scanned[i][p];
          if (want === null) expect(r[p]).toBeNull();
          else expect(Math.abs(Number(r[p]) - Number(want))).toBeLessThanOrEqual(Math.max(1, 0.04 * Number(want)));
        }
      });
      const exceptionsQ: ViewQuery = { ...query, view: 'step-exceptions' };
      expect(await stepExceptions(app, exceptionsQ, asOf)).toEqual(await scannedStepExceptions(app, exceptionsQ, asOf));
      const rulesQ: ViewQuery = { ...query, view: 'rules' };
      expect(await rules(app, rulesQ, asOf)).toEqual(await scannedRules(app, rulesQ, asOf));
      const codesQ: ViewQuery = { ...query, view: 'exception-codes' };
      const codes = await scannedExceptionCodes(app, codesQ, asOf);
      expect(await exceptionCodes(app, codesQ, asOf)).toEqual(codes);
      rows += scanned.length + codes.length;
    }
    return rows;
  };

  it('answers every window as the scan does', async () => {
    // The queries are not all empty: most windows hold work orders of every step.
    expect(await compare()).toBeGreaterThan(QUERIES.length * 3);
  }, 60_000);

  it('answers the live map the rows of each of its five views, for the same window', async () => {
    const app = db.appPool();
    let rows = 0;
    for (const { jobType, from, to, asOf = new Date(NOW).toISOString() } of QUERIES) {
      if (jobType === undefined) continue;
      const q = { jobType, from, to, asOf };
      const view = (name: ViewQuery['view']): ViewQuery => ({ ...q, view: name });
      const want = {
        steps: await steps(app, view('steps'), asOf),
        stepExceptions: await stepExceptions(app, view('step-exceptions'), asOf),
        gates: await gates(app, view('gates'), asOf),
        rules: await rules(app, view('rules'), asOf),
        exceptionCodes: await exceptionCodes(app, view('exception-codes'), asOf),
      };
      expect(await liveMapViews(app, q)).toEqual(want);
      rows += Object.values(want).reduce((n, r) => n + r.length, 0);
    }
    expect(rows).toBeGreaterThan(QUERIES.length * 3);
    await expect(liveMapViews(app, undefined)).rejects.toMatchObject({ code: 'validation_failed' });
    // A query without its job type, as an untyped caller (a message off the wire) sends it.
    const untyped: unknown = Reflect.apply(liveMapViews, undefined, [app, { from: ago(3) }]);
    await expect(untyped).rejects.toMatchObject({ code: 'validation_failed' });
    await expect(liveMapViews(app, { jobType: 'field-work-order', asOf: 'soon' })).rejects.toMatchObject({
      code: 'validation_failed',
    });
  }, 60_000);

  it('answers the same after a rebuild of the views', async () => {
    const result = await rebuildProjection(db.ownerPool(), viewsProjection, { roles: SERVICE_ROLES });
    expect(result.differences.view_step_counts).toBe(0);
    expect(result.differences.view_decision_counts).toBe(0);
    expect(result.differences.view_exceptions).toBe(0);
    expect(await compare()).toBeGreaterThan(QUERIES.length * 3);
  }, 120_000);
});
