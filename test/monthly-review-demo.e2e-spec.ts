import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { seedDemo } from '../cli/demo';
import type { MonthlyReview, WorkflowSummary } from '@workgate/contracts';
import { client, writePrincipals } from './support/principals';
import { ledgerEvents, tally } from './support/ledger-tally';
import { expectReviewMatchesLedger } from './support/review-views';
import { startTestWorkgate, TestWorkgate } from './support/workgate';
import { viewsCaughtUp } from './support/views-caught-up';

/**
 * The monthly review over the demo data (`npm run seed:demo`), reaching back over the whole of last
 * month: for every shipped workflow, last month's review answers every section, and its numbers and
 * those of the month before equal those counted here from the ledger's own events for the same windows.
 */
describe('the monthly review of the demo month', () => {
  let t: TestWorkgate;
  const principals = writePrincipals({ lead: ['analyst', 'ops-lead'] });
  const now = new Date();
  const lastMonth = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1)).toISOString().slice(0, 7);

  beforeAll(async () => {
    t = await startTestWorkgate({ env: { WORKGATE_PRINCIPALS: principals.path } });
    // Days back to the first of last month, and a few of the month before.
    await seedDemo(t.nc, { days: now.getUTCDate() + 34, perDay: 3, seed: 44 });
    await viewsCaughtUp(t, 60_000);
  }, 240_000);
  afterAll(() => t?.close());

  it("every workflow's review equals the ledger's events counted for last month and the month before", async () => {
    const as = client(t.url, principals.keys.lead);
    const ledger = tally(await ledgerEvents(t));
    const workflows = (await as<WorkflowSummary[]>('GET', '/v1/workflows')).body;
    expect(workflows.length).toBeGreaterThanOrEqual(4);
    const reviews: MonthlyReview[] = [];
    for (const { jobType } of workflows) {
      const answer = await as<MonthlyReview>('GET', `/v1/workflows/${jobType}/review?month=${lastMonth}`);
      expect(answer.status).toBe(200);
      const r = answer.body;
      expect(r.month.month).toBe(lastMonth);
      expectReviewMatchesLedger(r, 'thisMonth', ledger, r.month);
      expectReviewMatchesLedger(r, 'lastMonth', ledger, r.previous);
      reviews.push(r);
    }
    // The demo month has something in every section somewhere.
    expect(reviews.some((r) => r.topCodes.some((c) => (c.raised.thisMonth ?? 0) > 0 && c.owner && c.stepId))).toBe(
      true,
    );
    expect(reviews.some((r) => r.stalls.hotspots.length > 0 && (r.stalls.stalled.thisMonth ?? 0) > 0)).toBe(true);
    expect(reviews.some((r) => (r.evidence.closures.thisMonth ?? 0) > 0)).toBe(true);
    expect(reviews.some((r) => (r.closuresWithoutEvidence.count.thisMonth ?? 0) > 0)).toBe(true);
    expect(reviews.some((r) => (r.exceptions.breached.thisMonth ?? 0) > 0)).toBe(true);
    // The month the review compares with has data: work orders opened in it.
    expect(reviews.some((r) => (r.stalls.workOrders.lastMonth ?? 0) > 0)).toBe(true);
    // A minority of the month's work orders stall.
    const sum = (f: (r: MonthlyReview) => number | null) => reviews.reduce((n, r) => n + (f(r) ?? 0), 0);
    expect(sum((r) => r.stalls.stalled.thisMonth) / sum((r) => r.stalls.workOrders.thisMonth)).toBeLessThanOrEqual(
      0.25,
    );
  }, 120_000);

  it("decides most approvals before they expire: expired ones at most a tenth of those decided, counted from the ledger's events", async () => {
    const events = await ledgerEvents(t);
    const count = (type: string) => events.filter((e) => e.type === type).length;
    const decided = count('ApprovalGranted') + count('ApprovalRejected') + count('ApprovalConditioned');
    expect(decided).toBeGreaterThan(3);
    expect(count('ApprovalExpired') / decided).toBeLessThanOrEqual(0.1);
  });

  it('`npm run seed:demo` prints a key for each person the workflows name and a demo ops lead, and each works at once', async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [join(__dirname, '..', 'dist', 'cli', 'seed-demo.js'), '--days', '1', '--per-day', '2', '--seed', '45'],
      {
        env: {
          ...process.env,
          NATS_URL: t.nats.url,
          DATABASE_URL: t.config.DATABASE_URL,
          WORKGATE_PRINCIPALS: principals.path,
          WORKGATE_URL: t.url,
        },
        timeout: 120_000,
      },
    );
    const keys = new Map(
      [...stdout.matchAll(/^ {2}(\S+) +([a-z-]+(?:, [a-z-]+)*) +(wg_\S+)$/gm)].map((m) => [m[1], m[3]]),
    );
    // The shipped workflows' owners (workflows/*.yaml) and the ones the exception codes name.
    for (const id of ['support-lead', 'finance-lead', 'maintenance-lead', 'security-lead', 'safety-officer'])
      expect(keys.get(id)).toMatch(/^wg_/);
    expect(stdout).toContain('the keys work now');
    const owner = client(t.url, keys.get('support-lead'));
    expect((await owner('GET', '/v1/approvals?owner=support-lead')).status).toBe(200);
    const lead = client(t.url, keys.get('demo-ops-lead'));
    expect((await lead('GET', `/v1/workflows/support-recovery/review?month=${lastMonth}`)).status).toBe(200);
    // The principal the test started with keeps its key and is not listed.
    expect(keys.has('lead')).toBe(false);
  }, 150_000);
});
