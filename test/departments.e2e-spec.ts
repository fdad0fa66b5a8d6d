import { randomUUID } from 'node:crypto';
import {
  CompareRow,
  eventOf,
  isChangeRequested,
  RecordedEvent,
  Subjects,
  WorkflowDefinition,
} from '@workgate/contracts';
import type { IngestAnswer } from './support/answers';
import { ledgerEvents, tally, TalliedWorkOrder } from './support/ledger-tally';
import { eventually } from './support/processes';
import { onWorkgate } from './support/suite';
import { startTestWorkgate } from './support/workgate';

/** A two-step workflow whose break-glass owes desk-lead a post-review within the hour. */
const workflow = (jobType: string, department?: string): WorkflowDefinition => ({
  jobType,
  version: 1,
  title: jobType,
  owner: 'desk-lead',
  ...(department ? { department } : {}),
  requiredInputs: [{ name: 'ticket' }],
  systems: [{ name: 'payments', read: true, write: [] }],
  rules: [],
  steps: ['a', 'b'].map((id) => ({ id, title: `Step ${id}`, evidence: ['receipt'] })),
  closure: { evidence: ['closure-note'] },
  exceptionCodes: ['CUSTOMER_UNREACHABLE', 'ADDRESS_INVALID'],
  breakGlass: { allowed: true, postReviewDue: 'PT1H', reviewer: 'desk-lead' },
});

const T = Date.parse('2026-03-02T08:00:00.000Z');
const at = (minutes: number) => new Date(T + minutes * 60_000).toISOString();
const WINDOW = { from: '2026-03-01T00:00:00.000Z', to: '2026-04-01T00:00:00.000Z', asOf: '2026-04-01T00:00:00.000Z' };
const query = `from=${WINDOW.from}&to=${WINDOW.to}&asOf=${WINDOW.asOf}`;

const ratio = (part: number, whole: number) => (whole ? Math.round((part / whole) * 10_000) / 10_000 : null);
const per100 = (count: number, whole: number) => (whole ? Math.round((count * 10_000) / whole) / 100 : null);
/** Nearest rank: the smallest value with at least share p of the values at or below it. */
const rank = (sorted: number[], p: number) => sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)] ?? null;

/**
 * The row each group must show, counted from the ledger's own events (test/support/ledger-tally.ts
 * and the events read here), never from the views: the work orders closed in the window, grouped by
 * the department of the workflow version they opened under (or by job type).
 */
function countedFromLedger(events: RecordedEvent[], by: 'department' | 'jobType'): CompareRow[] {
  const ledger = tally(events);
  const departments = new Map<string, string | null>();
  const groupOf = new Map<string, string | null>();
  const breakGlassDue = new Map<string, number[]>();
  const reopened = new Set<string>();
  for (const e of events) {
    const published = eventOf(e, 'workflow', 'WorkflowPublished');
    if (published) {
      const { jobType, version, definition } = published.data;
      departments.set(`${jobType}@${version}`, definition.department ?? null);
    }
    const id = e.streamId.slice(e.streamId.indexOf('-') + 1);
    const opened = eventOf(e, 'workorder', 'WorkOrderOpened');
    if (opened && !groupOf.has(id)) {
      const { jobType, version } = opened.data.policy;
      groupOf.set(id, by === 'jobType' ? jobType : (departments.get(`${jobType}@${version}`) ?? null));
    }
    const glass = eventOf(e, 'workorder', 'BreakGlassUsed');
    if (glass) breakGlassDue.set(id, [...(breakGlassDue.get(id) ?? []), Date.parse(glass.data.postReviewDueAt)]);
    if (e.type === 'WorkOrderReopened') reopened.add(id);
  }
  const closed = [...ledger.workOrders.values()].filter(
    (wo) => wo.closedAt !== null && wo.closedAt >= Date.parse(WINDOW.from) && wo.closedAt < Date.parse(WINDOW.to),
  );
  const groups = new Map<string | null, TalliedWorkOrder[]>();
  for (const wo of closed) {
    const g = groupOf.get(wo.id) ?? null;
    groups.set(g, [...(groups.get(g) ?? []), wo]);
  }
  const exceptions = [...ledger.exceptions.values()];
  const keys = [...groups.keys()].sort((a, b) => (a === null ? 1 : b === null ? -1 : a.localeCompare(b)));
  return keys.map((key) => {
    const wos = groups.get(key) ?? [];
    const ids = new Set(wos.map((wo) => wo.id));
    const raised = exceptions.filter((x) => ids.has(x.workOrder.id));
    const codes = [...new Set(raised.map((x) => x.code))].sort();
    const withException = new Set(raised.map((x) => x.workOrder.id));
    const firstTimeFix = wos.filter((wo) => !withException.has(wo.id) && !reopened.has(wo.id)).length;
    const withEvidence = wos.filter((wo) => !wo.evidenceMissing).length;
    const stepsRequired = wos.reduce((n, wo) => n + wo.order.length, 0);
    const stepsDone = wos.reduce((n, wo) => n + Math.min(wo.completed.size, wo.order.length), 0);
    const seconds = wos.map((wo) => ((wo.closedAt ?? 0) - wo.openedAt) / 1000).sort((a, b) => a - b);
    const [p50, p95] = [rank(seconds, 0.5), rank(seconds, 0.95)];
    const glass = wos.filter((wo) => breakGlassDue.has(wo.id)).length;
    const overdue = wos.flatMap((wo) => breakGlassDue.get(wo.id) ?? []).filter((due) => due < Date.parse(WINDOW.asOf));
    return {
      ...(by === 'department' ? { department: key } : { jobType: key ?? '' }),
      workOrders: wos.length,
      firstTimeFix,
      firstTimeFixRate: ratio(firstTimeFix, wos.length),
      exceptions: raised.length,
      exceptionsPer100: per100(raised.length, wos.length),
      exceptionsPer100ByCode: Object.fromEntries(
        codes.map((c) => [c, per100(raised.filter((x) => x.code === c).length, wos.length) ?? 0]),
      ),
      closuresWithEvidence: withEvidence,
      closureEvidenceShare: ratio(withEvidence, wos.length),
      stepsRequired,
      stepsWithEvidence: stepsDone,
      stepEvidenceShare: ratio(stepsDone, stepsRequired),
      timeToCloseP50Seconds: p50,
      timeToCloseP95Seconds: p95,
      timeToCloseSpread: p50 && p95 !== null ? Math.round((p95 / p50) * 100) / 100 : null,
      breakGlass: glass,
      breakGlassRate: ratio(glass, wos.length),
      overduePostReviews: overdue.length,
    };
  });
}

/**
 * Departments and comparisons (docs/views.md): two workflows in two departments and one in none,
 * work orders driven through steps, an exception, break-glass and closure as CloudEvents with
 * their own times; every number of the comparison equals the count taken from the ledger's events.
 */
describe('departments and comparisons (docs/views.md, Departments and comparisons)', () => {
  const suite = onWorkgate({ desk: ['integrator'], analyst: ['analyst'], agent: ['operator'] }, (principals) =>
    startTestWorkgate({ env: { WORKGATE_PRINCIPALS: principals.path } }),
  );

  async function send(ref: string, type: string, minutes: number, data: Record<string, unknown> = {}) {
    const time = at(minutes);
    const r = await suite.as.desk<IngestAnswer>(
      'POST',
      '/v1/events',
      JSON.stringify({ specversion: '1.0', id: randomUUID(), source: 'desk', type, subject: ref, time, data }),
      { 'Content-Type': 'application/cloudevents+json' },
    );
    if (r.status !== 202) throw new Error(`${type} for ${ref}: ${r.status} ${r.text}`);
  }
  const open = (ref: string, jobType: string) =>
    send(ref, 'workgate.workorder.open', 0, { jobType, inputs: { ticket: ref } });
  const steps = async (ref: string, from: number) => {
    for (const [i, stepId] of ['a', 'b'].entries())
      await send(ref, 'workgate.step.completed', from + i, { stepId, evidence: [{ kind: 'receipt', ref: stepId }] });
  };
  const close = (ref: string, minutes: number) =>
    send(ref, 'workgate.workorder.close', minutes, {
      closureEvidenceId: `${ref}-note`,
      evidence: [{ kind: 'closure-note', ref: `${ref}-note` }],
    });
  const breakGlass = (ref: string, minutes: number) =>
    send(ref, 'workgate.workorder.break_glass', minutes, {
      code: 'ADDRESS_INVALID',
      rationale: 'courier at the door',
      action: { system: 'payments', operation: 'refund', kind: 'write' },
    });
  const reported = (ref: string, minutes: number) =>
    send(ref, 'workgate.workorder.closure_reported', minutes, { note: 'closed in the helpdesk' });

  const compare = async (path: string) => {
    const r = await suite.as.analyst<CompareRow[]>('GET', path);
    if (r.status !== 200) throw new Error(`${path}: ${r.status} ${r.text}`);
    return r.body;
  };

  beforeAll(async () => {
    for (const definition of [
      workflow('field-visit', 'field-service'),
      workflow('billing-fix', 'billing'),
      workflow('misc-fix'),
    ])
      await suite.t.rpc.request(Subjects.policy.publish, { definition });
    // field-service: F1 clean in 30 min; F2 blocked at b, break-glass, reported closed at 2 h without
    // evidence; F3 clean in 5 h.
    await open('F1', 'field-visit');
    await steps('F1', 10);
    await close('F1', 30);
    await open('F2', 'field-visit');
    await send('F2', 'workgate.step.completed', 10, { stepId: 'a', evidence: [{ kind: 'receipt', ref: 'a' }] });
    await send('F2', 'workgate.step.blocked', 20, {
      stepId: 'b',
      code: 'CUSTOMER_UNREACHABLE',
      rationale: 'no answer',
    });
    await breakGlass('F2', 30);
    await reported('F2', 120);
    await open('F3', 'field-visit');
    await steps('F3', 60);
    await close('F3', 300);
    // billing: B1 clean in 1 h; B2 break-glass at 5 min, reported closed at 45 min.
    await open('B1', 'billing-fix');
    await steps('B1', 10);
    await close('B1', 60);
    await open('B2', 'billing-fix');
    await breakGlass('B2', 5);
    await reported('B2', 45);
    // no department: N1 clean in 15 min; N2 still open (not counted).
    await open('N1', 'misc-fix');
    await steps('N1', 5);
    await close('N1', 15);
    await open('N2', 'misc-fix');
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
