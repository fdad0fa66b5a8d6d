import { CompareRow, eventOf, isChangeRequested, MonthlyReview, Subjects } from '@workgate/contracts';
import {
  countedFromLedger,
  departmentEvents,
  query,
  seedDepartments,
  WINDOW,
  workflow,
} from './support/department-fixture';
import { ledgerEvents } from './support/ledger-tally';
import { eventually } from './support/processes';
import { onWorkgate } from './support/suite';
import { startTestWorkgate } from './support/workgate';

/**
 * Departments and comparisons (docs/views.md): two workflows in two departments and one in none,
 * work orders driven through steps, an exception, break-glass and closure as CloudEvents with
 * their own times; every number of the comparison equals the count taken from the ledger's events.
 */
describe('departments and comparisons (docs/views.md, Departments and comparisons)', () => {
  const suite = onWorkgate({ desk: ['integrator'], analyst: ['analyst'], agent: ['operator'] }, (principals) =>
    startTestWorkgate({ env: { WORKGATE_PRINCIPALS: principals.path } }),
  );

  const compare = async (path: string) => {
    const r = await suite.as.analyst<CompareRow[]>('GET', path);
    if (r.status !== 200) throw new Error(`${path}: ${r.status} ${r.text}`);
    return r.body;
  };

  beforeAll(async () => {
    await seedDepartments(suite.t, suite.as.desk);
    await eventually(
      async () => {
        const rows = await compare(`/v1/views/departments?${query}`);
        return rows.reduce((n, r) => n + r.workOrders, 0) === 6 && rows.reduce((n, r) => n + r.breakGlass, 0) === 2;
      },
      30_000,
      'the comparison counts the six closures and both break-glasses',
    );
  });

  it('answers one row per department, as counted by hand', async () => {
    const rows = await compare(`/v1/views/departments?${query}`);
    expect(rows.map((r) => [r.department, r.workOrders, r.firstTimeFix, r.breakGlass, r.overduePostReviews])).toEqual([
      ['billing', 2, 1, 1, 1],
      ['field-service', 3, 2, 1, 1],
      [null, 1, 1, 0, 0],
    ]);
    const field = rows[1];
    expect(field.exceptionsPer100ByCode).toEqual({ ADDRESS_INVALID: 33.33, CUSTOMER_UNREACHABLE: 33.33 });
    expect([field.timeToCloseP50Seconds, field.timeToCloseP95Seconds, field.timeToCloseSpread]).toEqual([
      7200, 18_000, 2.5,
    ]);
  });

  it("every number of each group equals the count taken from the ledger's events", async () => {
    const events = await ledgerEvents(suite.t);
    expect(await compare(`/v1/views/departments?${query}`)).toEqual(countedFromLedger(events, 'department'));
    expect(await compare(`/v1/views/workflows/compare?${query}`)).toEqual(countedFromLedger(events, 'department'));
    expect(await compare(`/v1/views/workflows/compare?${query}&by=jobType`)).toEqual(
      countedFromLedger(events, 'jobType'),
    );
  });

  it('answers CSV, and refuses a bad grouping or window', async () => {
    const csv = await suite.as.analyst('GET', `/v1/views/departments?${query}`, undefined, { Accept: 'text/csv' });
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-disposition')).toBe('attachment; filename="workgate-compare-department.csv"');
    const lines = csv.text.replace(/^\uFEFF/, '').split('\r\n');
    expect(lines[0]).toMatch(/^department,workOrders,firstTimeFix,/);
    expect(lines[1]).toMatch(/^billing,2,1,0\.5,1,50,ADDRESS_INVALID=50,/);
    const refused = { status: 422, body: { error: 'validation_failed' } };
    expect(await suite.as.analyst('GET', '/v1/views/workflows/compare?by=owner')).toMatchObject(refused);
    expect(await suite.as.analyst('GET', '/v1/views/departments?by=jobType')).toMatchObject(refused);
    expect(await suite.as.analyst('GET', `/v1/views/departments?from=${WINDOW.to}&to=${WINDOW.from}`)).toMatchObject(
      refused,
    );
    const outsider = await suite.as.desk('GET', `/v1/views/departments`);
    expect(outsider.status).toBe(403);
  });

  it("the monthly review's departments: every number equals the count taken from the ledger's events for the month", async () => {
    const review = await suite.as.analyst<MonthlyReview>('GET', '/v1/workflows/field-visit/review?month=2026-03');
    expect(review.status).toBe(200);
    // The month as the review asks about it: measured at its last instant.
    const month = { from: WINDOW.from, to: WINDOW.to, asOf: '2026-03-31T23:59:59.999Z' };
    expect(review.body.month).toMatchObject(month);
    const counted = countedFromLedger(await ledgerEvents(suite.t), 'department', month);
    expect(review.body.departments.map((r) => r.department)).toEqual(['billing', 'field-service', null]);
    expect(review.body.departments).toEqual(counted);
    // Every job type's departments, whichever job type is reviewed; none in a month without closures.
    const billing = await suite.as.analyst<MonthlyReview>('GET', '/v1/workflows/billing-fix/review?month=2026-03');
    expect(billing.body.departments).toEqual(counted);
    const february = await suite.as.analyst<MonthlyReview>('GET', '/v1/workflows/field-visit/review?month=2026-02');
    expect(february.body.departments).toEqual([]);
  });

  it('keeps a work order in the department of the version it opened under when a later version moves the workflow', async () => {
    const relayed = suite.t.nc.subscribe('ledger.workflow.WorkflowPublished', { max: 1 });
    const { answer } = await suite.t.rpc.request(Subjects.policy.publish, {
      definition: { ...workflow('field-visit', 'billing'), version: 2 },
      actor: 'admin',
    });
    if (isChangeRequested(answer))
      await suite.t.rpc.request(Subjects.approvals.decide, {
        approvalId: answer.approvalId,
        by: 'desk-lead',
        decision: 'approve',
      });
    for await (const _ of relayed) break;
    const { open, steps, close } = departmentEvents(suite.as.desk);
    await open('F4', 'field-visit');
    await steps('F4', 10);
    await close('F4', 20);
    const rows = await eventually(
      async () => {
        const r = await compare(`/v1/views/departments?${query}`);
        return r.reduce((n, g) => n + g.workOrders, 0) === 7 && r;
      },
      30_000,
      'the comparison counts F4',
    );
    // F1-F3 opened under version 1 (field-service): they stay there.
    expect(rows.find((r) => r.department === 'field-service')?.workOrders).toBe(3);
    const events = await ledgerEvents(suite.t);
    const f4 = events.map((e) => eventOf(e, 'workorder', 'WorkOrderOpened')).find((e) => e?.data.externalRef === 'F4');
    expect(f4?.data.policy.version).toBe(2);
    expect(rows.find((r) => r.department === 'billing')?.workOrders).toBe(3);
    expect(rows).toEqual(countedFromLedger(events, 'department'));
  });
});
