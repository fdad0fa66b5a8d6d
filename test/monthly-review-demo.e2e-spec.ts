import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { seedDemo } from '../cli/demo';
import { demoDays } from '../cli/demo-events';
import type { MonthlyReview, WorkflowSummary, WorkflowVersion } from '@workgate/contracts';
import { countedFromLedger, expectComparedToLedger } from './support/department-fixture';
import { client, writePrincipals } from './support/principals';
import { ledgerEvents, tally } from './support/ledger-tally';
import { expectReviewMatchesLedger } from './support/review-views';
import { startTestWorkgate, TestWorkgate } from './support/workgate';
import { viewsCaughtUp } from './support/views-caught-up';

/**
 * The monthly review over the demo data (`npm run seed:demo`), reaching back to the first of the
 * month before last as the seeder does by default: for every shipped workflow, last month's review
 * (the month the console opens on) answers every section, and its numbers and those of the month
 * before equal those counted here from the ledger's own events for the same windows. The tests run
 * in order: the months are read as seeded, then `npm run seed:demo` itself adds three busier days
 * and prints its keys, then the approvals of all of it are counted.
 */
describe('the monthly review of the demo month', () => {
  let t: TestWorkgate;
  const principals = writePrincipals({ lead: ['analyst', 'ops-lead'] });
  const now = new Date();
  const monthStart = (back: number) => Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - back, 1);
  const lastMonth = new Date(monthStart(1)).toISOString().slice(0, 7);

  beforeAll(async () => {
    t = await startTestWorkgate({ env: { WORKGATE_PRINCIPALS: principals.path } });
    // What `npm run seed:demo` covers: the month before last, last month and this month to date.
    await seedDemo(t.nc, { days: demoDays(now), perDay: 2, seed: 44, now: now.getTime() });
    await viewsCaughtUp(t, 60_000);
  }, 240_000);
  afterAll(() => t?.close());

  it("every workflow's review equals the ledger's events counted for last month and the month before", async () => {
    const as = client(t.url, principals.keys.lead);
    const events = await ledgerEvents(t);
    const ledger = tally(events);
    const workflows = (await as<WorkflowSummary[]>('GET', '/v1/workflows')).body;
    expect(workflows.length).toBeGreaterThanOrEqual(7);
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
    // Its departments side by side, the same on every job type's review: each number as counted from
    // the ledger's events, the times to close within their buckets' 4%.
    const sideBySide = countedFromLedger(events, 'department', reviews[0].month);
    expect(sideBySide.length).toBeGreaterThanOrEqual(6);
    for (const r of reviews) {
      expect(r.departments).toEqual(reviews[0].departments);
      expectComparedToLedger(r.departments, sideBySide);
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
    // IT operations and the regulated service beside the rest: their work in both months, with exceptions.
    const departments = new Map<string, string>();
    for (const { jobType } of workflows)
      departments.set(
        jobType,
        String((await as<WorkflowVersion>('GET', `/v1/workflows/${jobType}`)).body.definition.department),
      );
    expect(new Set(departments.values()).size).toBeGreaterThanOrEqual(6);
    for (const [jobType, department] of [
      ['incident-response', 'it-ops'],
      ['access-request', 'regulated-services'],
    ]) {
      const r = reviews.find((x) => x.jobType === jobType);
      expect([jobType, departments.get(jobType)]).toEqual([jobType, department]);
      expect([jobType, r?.stalls.workOrders.thisMonth, r?.stalls.workOrders.lastMonth]).toEqual([
        jobType,
        expect.any(Number),
        expect.any(Number),
      ]);
      expect([jobType, (r?.stalls.workOrders.thisMonth ?? 0) > 0 && (r?.stalls.workOrders.lastMonth ?? 0) > 0]).toEqual(
        [jobType, true],
      );
    }
    expect(
      reviews.some(
        (r) => ['incident-response', 'access-request'].includes(r.jobType) && (r.exceptions.raised.thisMonth ?? 0) > 0,
      ),
    ).toBe(true);
    // A minority of the month's work orders stall.
    const sum = (f: (r: MonthlyReview) => number | null) => reviews.reduce((n, r) => n + (f(r) ?? 0), 0);
    expect(sum((r) => r.stalls.stalled.thisMonth) / sum((r) => r.stalls.workOrders.thisMonth)).toBeLessThanOrEqual(
      0.25,
    );
  }, 120_000);

  it("has last month and the month before it alike: work opened in each, in numbers within a half of each other, counted from the ledger's events", async () => {
    const opened = (await ledgerEvents(t))
      .filter((e) => e.type === 'WorkOrderOpened')
      .map((e) => Date.parse(e.occurredAt));
    const within = (from: number, to: number) => opened.filter((at) => at >= from && at < to).length;
    const demoMonth = within(monthStart(1), monthStart(0));
    const before = within(monthStart(2), monthStart(1));
    expect(demoMonth).toBeGreaterThan(20);
    expect(before).toBeGreaterThan(20);
    expect(demoMonth / before).toBeGreaterThanOrEqual(2 / 3);
    expect(demoMonth / before).toBeLessThanOrEqual(3 / 2);
  });

  it('`npm run seed:demo` prints a key for each person the workflows name, a demo ops lead and an admin, with roles and where each is used, and each works at once as its principal', async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      // The last three days again, busier: an owner is asked only within its workflow's approval
      // timeout, so recent work is where the approvals counted next come from (access grants that two approve among them).
      // Busy enough for a Monday just after midnight, when those days are mostly a quiet weekend:
      // this seed asks for 11 approvals or more at each 3-hour step of a week (12 a day asked for 3 then).
      [join(__dirname, '..', 'dist', 'cli', 'seed-demo.js'), '--days', '3', '--per-day', '36', '--seed', '46'],
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
    const printed = [...stdout.matchAll(/^ {2}(\S+) +([a-z-]+(?:, [a-z-]+)*) +(wg_\S+)\n {4}(\S.*)$/gm)].map(
      ([, id, roles, key, use]) => ({ id, roles: roles.split(', '), key, use }),
    );
    const keys = new Map(printed.map(({ id, key }) => [id, key]));
    // The shipped workflows' owners (workflows/*.yaml), the access request's approvers and the ones the exception codes name.
    for (const id of [
      'support-lead',
      'finance-lead',
      'maintenance-lead',
      'security-lead',
      'safety-officer',
      'it-ops-lead',
      'change-manager',
      'on-call-engineer',
      'compliance-officer',
      'access-admin',
    ])
      expect(printed.find((p) => p.id === id)).toMatchObject({ roles: ['approver', 'operator'], use: /Approvals/ });
    expect(printed.find((p) => p.id === 'demo-ops-lead')).toMatchObject({ roles: ['ops-lead', 'analyst'] });
    expect(printed.find((p) => p.id === 'demo-admin')).toMatchObject({ roles: ['admin', 'analyst'] });
    expect(stdout).toContain('the keys work now');
    // Each printed key is accepted as the principal it was printed for, with the roles printed beside it.
    for (const { id, roles, key } of printed)
      expect((await client(t.url, key)('GET', '/v1/me')).body).toEqual({ id, roles });
    const owner = client(t.url, keys.get('support-lead'));
    expect((await owner('GET', '/v1/approvals?owner=support-lead')).status).toBe(200);
    const lead = client(t.url, keys.get('demo-ops-lead'));
    expect((await lead('GET', `/v1/workflows/support-recovery/review?month=${lastMonth}`)).status).toBe(200);
    expect((await lead('GET', '/v1/webhooks')).status).toBe(403);
    const admin = client(t.url, keys.get('demo-admin'));
    expect((await admin('GET', '/v1/webhooks')).status).toBe(200);
    // The principal the test started with keeps its key and is not listed.
    expect(keys.has('lead')).toBe(false);
  }, 150_000);

  it("decides most approvals before they expire, in the month and in `npm run seed:demo`'s days: expired ones at most a tenth of those decided, counted from the ledger's events", async () => {
    const events = await ledgerEvents(t);
    // Access grants asked of two approvers: each approver's decision is never the requester's, and
    // a grant is granted by two distinct approvers.
    const requester = new Map(
      events.filter((e) => e.type === 'ApprovalRequested').map((e) => [e.streamId, String(e.data.requestedBy)]),
    );
    const twoPerson = events.filter((e) => e.type === 'ApprovalRequested' && e.data.required === 2);
    expect(twoPerson.length).toBeGreaterThan(0);
    for (const e of events.filter((x) => x.type === 'ApprovalDecisionRecorded'))
      expect(e.data.by).not.toBe(requester.get(e.streamId));
    for (const e of events.filter((x) => x.type === 'ApprovalGranted' && Array.isArray(x.data.approvers))) {
      const approvers = Array.isArray(e.data.approvers) ? e.data.approvers.map(String) : [];
      if (approvers.length < 2) continue;
      expect(new Set(approvers).size).toBe(approvers.length);
      expect(approvers).not.toContain(requester.get(e.streamId));
    }
    const count = (type: string) => events.filter((e) => e.type === type).length;
    const decided = count('ApprovalGranted') + count('ApprovalRejected') + count('ApprovalConditioned');
    expect(decided).toBeGreaterThan(3);
    expect(count('ApprovalExpired') / decided).toBeLessThanOrEqual(0.1);
    // Each decided before its approval's expiry.
    const approvals = [...tally(events).approvals.values()];
    const late = approvals.filter(
      (a) => a.status !== 'requested' && a.status !== 'expired' && a.decidedAt! >= a.expiresAt,
    );
    expect(late).toEqual([]);
  });
});
