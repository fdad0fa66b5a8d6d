import { SERVICE_ROLES } from './support/database';
import { randomUUID } from 'node:crypto';
import { isChangeRequested, VIEW_NAMES, viewColumns, WorkflowDefinition, Subjects } from '@workgate/contracts';
import { rebuildProjection } from '@workgate/event-store';
import { VIEW_TABLES, viewsProjection } from '../apps/ledger/views/views.projection';
import { eventually } from './support/processes';
import { client, clientsFor, writePrincipals } from './support/principals';
import { startTestWorkgate, TestWorkgate } from './support/workgate';
import type { ViewRow, WorkOrderListItem } from '@workgate/contracts';
import type { IngestAnswer } from './support/answers';
import { textOf } from './support/answers';

/**
 * The evidence views over a scripted history: work events sent as CloudEvents with their own
 * times (so every answer is known exactly), the rest through the HTTP API. Every answer is
 * checked whole, at chosen `asOf` instants, against what an ops lead would count by hand.
 */
const DAY = 24 * 3600 * 1000;
const T = Math.floor(Date.now() / DAY) * DAY - 2 * DAY; // two days ago, 00:00 UTC
const at = (hours: number) => new Date(T + hours * 3600 * 1000).toISOString();
const day = (n: number) => at(24 * n).slice(0, 10);

const deskFix = (version: number, steps: string[], stallAfter: string): WorkflowDefinition => ({
  jobType: 'desk-fix',
  version,
  title: 'Desk fix',
  owner: 'desk-lead',
  requiredInputs: [{ name: 'ticket' }],
  systems: [{ name: 'payments', read: true, write: [] }],
  rules: [{ id: 'refunds-wait', when: 'action.operation == "refund"', decision: 'wait' }],
  steps: steps.map((id) => ({ id, title: id, evidence: ['receipt'] })),
  approval: { timeout: 'P30D' },
  breakGlass: { allowed: true, postReviewDue: 'PT2H', reviewer: 'desk-lead' },
  closure: { evidence: ['closure-note'] },
  exceptionCodes: ['CUSTOMER_UNREACHABLE', 'ADDRESS_INVALID'],
  stallAfter,
});

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

  /** One CloudEvent from source `desk` about work order `ref`, at `time`. */
  async function send(ref: string, type: string, time: string, data: Record<string, unknown>): Promise<void> {
    const r = await as.desk<IngestAnswer>(
      'POST',
      '/v1/events',
      JSON.stringify({ specversion: '1.0', id: randomUUID(), source: 'desk', type, subject: ref, time, data }),
      {
        'Content-Type': 'application/cloudevents+json',
      },
    );
    if (r.status !== 202) throw new Error(`${type} for ${ref}: ${r.status} ${r.text}`);
  }

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
    await t.rpc.request(Subjects.policy.publish, { definition: deskFix(1, ['a', 'b'], 'PT4H') });

    const evidence = (ref: string) => [{ kind: 'receipt', ref }];
    const closeWith = { closureEvidenceId: 'note-1', evidence: [{ kind: 'closure-note', ref: 'note-1' }] };
    // A: clean run, closed with evidence at T+3h.
    await send('A', 'workgate.workorder.open', at(0), { jobType: 'desk-fix', inputs: { ticket: 'A' } });
    await send('A', 'workgate.step.completed', at(1), { stepId: 'a', evidence: evidence('a') });
    await send('A', 'workgate.step.completed', at(2), { stepId: 'b', evidence: evidence('b') });
    await send('A', 'workgate.workorder.close', at(3), closeWith);
    // B: blocked at T+1h (CUSTOMER_UNREACHABLE), still blocked.
    await send('B', 'workgate.workorder.open', at(0), { jobType: 'desk-fix', inputs: { ticket: 'B' } });
    await send('B', 'workgate.step.blocked', at(1), {
      stepId: 'a',
      code: 'CUSTOMER_UNREACHABLE',
      rationale: 'no answer',
    });
    // C: opened without its ticket (PREREQ_MISSING), closed by the source at T+10h without evidence.
    await send('C', 'workgate.workorder.open', at(0), { jobType: 'desk-fix', inputs: {} });
    await send('C', 'workgate.workorder.closure_reported', at(10), { note: 'closed in the helpdesk' });
    // D: break-glass at T+1h (ADDRESS_INVALID): a post-review due at T+3h.
    await send('D', 'workgate.workorder.open', at(0), { jobType: 'desk-fix', inputs: { ticket: 'D' } });
    await send('D', 'workgate.workorder.break_glass', at(1), {
      code: 'ADDRESS_INVALID',
      rationale: 'courier at the door',
      action: { system: 'payments', operation: 'refund', kind: 'write' },
    });
    // E: a refund waits for desk-lead from T+1h.
    await send('E', 'workgate.workorder.open', at(0), { jobType: 'desk-fix', inputs: { ticket: 'E' } });
    await send('E', 'workgate.action.requested', at(1), { system: 'payments', operation: 'refund', kind: 'write' });
    // F: version 2 (published now: new work orders take the latest version), clean, closed at T+2.5h.
    // Intake learns of a new version from the ledger relay; wait until that message has gone out.
    const relayed = t.nc.subscribe('ledger.workflow.WorkflowPublished', { max: 1 });
    // Version 2 drops step b and its evidence: it widens version 1, so it is published when desk-lead approves it.
    const { answer: asked } = await t.rpc.request(Subjects.policy.publish, {
      definition: deskFix(2, ['a'], 'PT1H'),
      actor: 'admin',
    });
    if (!isChangeRequested(asked))
      throw new Error(`version 2 was published without approval: ${JSON.stringify(asked)}`);
    expect(asked).toMatchObject({ owner: 'desk-lead', version: 2 });
    await t.rpc.request(Subjects.approvals.decide, {
      approvalId: asked.approvalId,
      by: 'desk-lead',
      decision: 'approve',
    });
    for await (const _ of relayed) break;
    await new Promise((r) => setTimeout(r, 200));
    await send('F', 'workgate.workorder.open', at(1), { jobType: 'desk-fix', inputs: { ticket: 'F' } });
    await send('F', 'workgate.step.completed', at(2), { stepId: 'a', evidence: evidence('a') });
    await send('F', 'workgate.workorder.close', at(2.5), closeWith);
    // G (version 2): the next day, blocked again with CUSTOMER_UNREACHABLE.
    await send('G', 'workgate.workorder.open', at(25), { jobType: 'desk-fix', inputs: { ticket: 'G' } });
    await send('G', 'workgate.step.blocked', at(26), {
      stepId: 'a',
      code: 'CUSTOMER_UNREACHABLE',
      rationale: 'voicemail full',
    });

    for (const ref of ['A', 'B', 'C', 'D', 'E', 'F', 'G']) {
      ids[ref] = await eventually(
        async () =>
          (await as.analyst<WorkOrderListItem[]>('GET', `/v1/work-orders?source=desk&externalRef=${ref}`)).body?.[0]
            ?.id,
        10_000,
        `work order ${ref}`,
      );
    }
    postReviewId = await eventually(
      async () =>
        textOf((await as.analyst<ViewRow[]>('GET', `/v1/views/post-reviews?asOf=${at(2)}`)).body?.[0], 'postReviewId'),
      10_000,
      "D's post-review",
    );
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
