import { SERVICE_ROLES } from './support/database';
import { VIEW_NAMES, viewColumns, type ViewRow } from '@workgate/contracts';
import { rebuildProjection } from '@workgate/event-store';
import { VIEW_TABLES, viewsProjection } from '../apps/ledger/views/views.projection';
import { eventually } from './support/processes';
import { client, clientsFor, writePrincipals } from './support/principals';
import { startTestWorkgate, TestWorkgate } from './support/workgate';
import { at, day, scriptHistory } from './support/views-history';

/**
 * The evidence views over a scripted history: work events sent as CloudEvents with their own
 * times (so every answer is known exactly), the rest through the HTTP API. Every answer is
 * checked whole, at chosen `asOf` instants, against what an ops lead would count by hand.
 */
describe('evidence views (docs/views.md, The views) over a scripted history', () => {
  let t: TestWorkgate;
  const principals = writePrincipals({
    desk: ['integrator'],
    agent: ['operator'],
    'desk-lead': ['approver'],
    analyst: ['analyst'],
    lead: ['ops-lead'],
  });
  let as: Record<string, ReturnType<typeof client>>;

  /** Waits until the view answers `expected` (views are fed from the ledger a moment after each commit). */
  async function expectView(path: string, expected: unknown): Promise<void> {
    let last: unknown;
    const matches = (body: unknown) => {
      try {
        expect(body).toEqual(expected);
        return true;
      } catch {
        return false;
      }
    };
    try {
      await eventually(async () => matches((last = (await as.analyst('GET', path)).body)), 15_000, path);
    } catch {
      expect(last).toEqual(expected); // shows the difference
    }
  }

  const ids: Record<string, string> = {};
  let postReviewId = '';

  beforeAll(async () => {
    t = await startTestWorkgate({ env: { WORKGATE_PRINCIPALS: principals.path } });
    as = clientsFor(t.url, principals.keys);
    const history = await scriptHistory(t, as);
    Object.assign(ids, history.ids);
    postReviewId = history.postReviewId;
  }, 60_000);
  afterAll(() => t?.close());

  it('closures: which work orders closed without closure evidence', async () => {
    await expectView('/v1/views/closures?evidence=missing', [
      {
        workOrderId: ids.C,
        jobType: 'desk-fix',
        version: 1,
        source: 'desk',
        externalRef: 'C',
        owner: 'desk-lead',
        closedAt: at(10),
        evidence: 'missing',
      },
    ]);
    await expectView(`/v1/views/closures?to=${at(3)}`, [
      {
        workOrderId: ids.F,
        jobType: 'desk-fix',
        version: 2,
        source: 'desk',
        externalRef: 'F',
        owner: 'desk-lead',
        closedAt: at(2.5),
        evidence: 'present',
      },
    ]);
  });

  it('exception-codes/top: which codes repeat, who owns them, open remediations', async () => {
    await as['desk-lead']('POST', `/v1/post-reviews/${postReviewId}/complete`, {
      outcome: 'justified',
      remediation: { title: 'validate addresses before dispatch', owner: 'desk-lead', due: at(24 * 30) },
    });
    await expectView('/v1/views/exception-codes/top', [
      { code: 'CUSTOMER_UNREACHABLE', count: 2, workOrders: 2, owner: 'support-lead', openRemediations: 0, open: 2 },
      { code: 'ADDRESS_INVALID', count: 1, workOrders: 1, owner: 'support-lead', openRemediations: 1, open: 1 },
      { code: 'PREREQ_MISSING', count: 1, workOrders: 1, owner: 'intake-lead', openRemediations: 0, open: 1 },
    ]);
    await expectView(`/v1/views/exception-codes/top?limit=1&to=${at(24)}`, [
      { code: 'ADDRESS_INVALID', count: 1, workOrders: 1, owner: 'support-lead', openRemediations: 1, open: 1 },
    ]);
    await expectView('/v1/views/exception-codes/top?jobType=field-work-order', []);
  });

  it('exception-trends: volume by code per day and month', async () => {
    await expectView('/v1/views/exception-trends?interval=day', [
      { period: day(0), code: 'ADDRESS_INVALID', count: 1 },
      { period: day(0), code: 'CUSTOMER_UNREACHABLE', count: 1 },
      { period: day(0), code: 'PREREQ_MISSING', count: 1 },
      { period: day(1), code: 'CUSTOMER_UNREACHABLE', count: 1 },
    ]);
    await expectView('/v1/views/exception-trends?code=CUSTOMER_UNREACHABLE', [
      { period: day(0), code: 'CUSTOMER_UNREACHABLE', count: 1 },
      { period: day(1), code: 'CUSTOMER_UNREACHABLE', count: 1 },
    ]);
    const month = (iso: string) => `${iso.slice(0, 7)}-01`;
    const expected =
      month(at(0)) === month(at(26))
        ? [{ period: month(at(0)), code: 'CUSTOMER_UNREACHABLE', count: 2 }]
        : [
            { period: month(at(0)), code: 'CUSTOMER_UNREACHABLE', count: 1 },
            { period: month(at(26)), code: 'CUSTOMER_UNREACHABLE', count: 1 },
          ];
    await expectView('/v1/views/exception-trends?interval=month&code=CUSTOMER_UNREACHABLE', expected);
  });

  it('stall-rates: which job types stall, measured at asOf', async () => {
    await expectView(`/v1/views/stall-rates?asOf=${at(6)}`, [
      { jobType: 'desk-fix', workOrders: 6, stalled: 4, stallRate: 0.6667, stalledNow: 3, active: 3 },
    ]);
    // Before B, D and E have waited four hours, only C (blocked from its opening) has stalled.
    await expectView(`/v1/views/stall-rates?asOf=${at(4.5)}`, [
      { jobType: 'desk-fix', workOrders: 6, stalled: 1, stallRate: 0.1667, stalledNow: 0, active: 3 },
    ]);
    await expectView(`/v1/views/stall-rates?asOf=${at(3.5)}`, [
      { jobType: 'desk-fix', workOrders: 6, stalled: 0, stallRate: 0, stalledNow: 0, active: 3 },
    ]);
    await expectView(`/v1/views/stall-rates?asOf=${at(6)}&groupBy=version`, [
      { jobType: 'desk-fix', version: 1, workOrders: 5, stalled: 4, stallRate: 0.8, stalledNow: 3, active: 3 },
      { jobType: 'desk-fix', version: 2, workOrders: 1, stalled: 0, stallRate: 0, stalledNow: 0, active: 0 },
    ]);
  });

  it('post-reviews: overdue only after the due time, by owner', async () => {
    const row = (overdueBy: string | null, overdueSeconds: number) => ({
      postReviewId,
      workOrderId: ids.D,
      exceptionId: expect.any(String),
      jobType: 'desk-fix',
      owner: 'desk-lead',
      createdAt: at(1),
      dueAt: at(3),
      overdue: overdueBy !== null,
      overdueBy,
      overdueSeconds,
      source: 'desk',
      externalRef: 'D',
      ...{ exceptionCode: 'ADDRESS_INVALID', exceptionStatus: 'open' }, // D's break-glass, never resolved
    });
    await expectView(`/v1/views/post-reviews?overdue=true&asOf=${at(2)}`, []);
    await expectView(`/v1/views/post-reviews?overdue=true&asOf=${at(3)}`, []);
    await expectView(`/v1/views/post-reviews?overdue=true&asOf=${at(4)}`, [row('PT1H', 3600)]);
    await expectView(`/v1/views/post-reviews?overdue=true&asOf=${at(27.5)}`, [row('P1DT30M', 88200)]);
    await expectView(`/v1/views/post-reviews?asOf=${at(2)}`, [row(null, 0)]);
    // Completed (in the test above, at the real now): nothing is overdue any more.
    await expectView('/v1/views/post-reviews?overdue=true', []);
  });

  it('first-time-fix: closed with no exception and no reopen, per job type and version', async () => {
    await expectView('/v1/views/first-time-fix', [{ jobType: 'desk-fix', closed: 3, firstTimeFix: 2, ratio: 0.6667 }]);
    await expectView('/v1/views/first-time-fix?groupBy=version', [
      { jobType: 'desk-fix', version: 1, closed: 2, firstTimeFix: 1, ratio: 0.5 },
      { jobType: 'desk-fix', version: 2, closed: 1, firstTimeFix: 1, ratio: 1 },
    ]);
  });

  it('approvals: pending by owner with age at asOf', async () => {
    await expectView(`/v1/views/approvals?asOf=${at(5)}`, [
      {
        approvalId: expect.any(String),
        workOrderId: ids.E,
        actionId: expect.any(String),
        jobType: 'desk-fix',
        owner: 'desk-lead',
        requestedBy: 'source:desk',
        status: 'requested',
        requestedAt: at(1),
        expiresAt: at(1 + 30 * 24),
        decidedBy: null,
        age: 'PT4H',
        ageSeconds: 14_400,
        source: 'desk',
        externalRef: 'E',
      },
    ]);
    await expectView(`/v1/views/approvals?asOf=${at(0.5)}`, []);
    // The one approval given is desk-lead's of version 2: a workflow change, of no work order.
    await expectView('/v1/views/approvals?status=approved', [
      expect.objectContaining({
        workOrderId: null,
        jobType: 'desk-fix',
        owner: 'desk-lead',
        requestedBy: 'admin',
        status: 'approved',
        decidedBy: 'desk-lead',
        source: null,
        externalRef: null,
      }),
    ]);
  });

  it('evidence-completeness: closures and steps with their required evidence', async () => {
    await expectView('/v1/views/evidence-completeness', [
      {
        jobType: 'desk-fix',
        closures: 3,
        closuresWithEvidence: 2,
        closureShare: 0.6667,
        stepsRequired: 5,
        stepsWithEvidence: 3,
        stepShare: 0.6,
      },
    ]);
    await expectView('/v1/views/evidence-completeness?groupBy=version', [
      {
        jobType: 'desk-fix',
        version: 1,
        closures: 2,
        closuresWithEvidence: 1,
        closureShare: 0.5,
        stepsRequired: 4,
        stepsWithEvidence: 2,
        stepShare: 0.5,
      },
      {
        jobType: 'desk-fix',
        version: 2,
        closures: 1,
        closuresWithEvidence: 1,
        closureShare: 1,
        stepsRequired: 1,
        stepsWithEvidence: 1,
        stepShare: 1,
      },
    ]);
  });

  it('answers CSV (BOM, attachment) and refuses bad queries and callers', async () => {
    const csv = await as.lead('GET', '/v1/views/exception-codes/top', undefined, { Accept: 'text/csv' });
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv; charset=utf-8/);
    expect(csv.headers.get('content-disposition')).toBe('attachment; filename="workgate-exception-codes-top.csv"');
    expect(csv.text.split('\r\n').slice(0, 2)).toEqual([
      'code,count,workOrders,owner,openRemediations,open',
      'CUSTOMER_UNREACHABLE,2,2,support-lead,0,2',
    ]);
    const raw = await fetch(`${t.url}/v1/views/exception-codes/top`, {
      headers: { Authorization: `Bearer ${principals.keys.lead}`, Accept: 'text/csv' },
    });
    expect([...new Uint8Array(await raw.arrayBuffer()).slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]); // the UTF-8 BOM spreadsheets look for
    // An empty answer still has its header; every view's rows have exactly the documented columns.
    const empty = await as.lead('GET', '/v1/views/approvals?status=rejected', undefined, { Accept: 'text/csv' });
    expect(empty.text).toBe(`${viewColumns('approvals').join(',')}\r\n`);
    for (const view of VIEW_NAMES) {
      for (const groupBy of [undefined, 'version'] as const) {
        if (groupBy && ['closures', 'post-reviews', 'approvals'].includes(view)) continue;
        const params = new URLSearchParams({
          asOf: at(30),
          ...(groupBy ? { groupBy } : {}),
          ...(view === 'approvals' ? { status: 'all' } : {}),
        });
        const r = await as.analyst<ViewRow[]>('GET', `/v1/views/${view}?${params}`);
        expect(r.status).toBe(200);
        expect(r.body.length).toBeGreaterThan(0);
        for (const row of r.body) expect(Object.keys(row)).toEqual(viewColumns(view, groupBy));
      }
    }
    expect(await as.analyst('GET', '/v1/views/stall-rates?asOf=yesterday')).toMatchObject({
      status: 422,
      body: { error: 'validation_failed' },
    });
    expect(await as.analyst('GET', '/v1/views/first-time-fix?groupBy=owner')).toMatchObject({
      status: 422,
      body: { error: 'validation_failed' },
    });
    expect(await as.analyst('GET', '/v1/views/exception-trends?interval=hour')).toMatchObject({ status: 422 });
    expect(await as.analyst('GET', '/v1/views/approvals?sort=age')).toMatchObject({
      status: 422,
      body: { error: 'validation_failed' },
    });
    expect(await as.analyst('GET', `/v1/views/closures?from=${at(5)}&to=${at(1)}`)).toMatchObject({
      status: 422,
      body: { error: 'validation_failed' },
    });
    expect((await as.agent('GET', '/v1/views/stall-rates')).status).toBe(403);
    expect((await client(t.url)('GET', '/v1/views/stall-rates')).status).toBe(401);
  });

  it('a rebuild from position 0 equals the live views, row by row', async () => {
    const result = await rebuildProjection(t.db.ownerPool(), viewsProjection, { roles: SERVICE_ROLES });
    expect(result.differences).toEqual(Object.fromEntries(VIEW_TABLES.map((table) => [table, 0])));
    expect(result.swapped).toBe(true);
    // Still answering, from the swapped-in tables.
    await expectView('/v1/views/first-time-fix', [{ jobType: 'desk-fix', closed: 3, firstTimeFix: 2, ratio: 0.6667 }]);
  });
});
