import { randomUUID } from 'node:crypto';
import { CompareRow, eventOf, RecordedEvent, Subjects, WorkflowDefinition } from '@workgate/contracts';
import type { IngestAnswer } from './answers';
import { tally, TalliedWorkOrder } from './ledger-tally';
import { Client } from './suite';
import { TestWorkgate } from './workgate';

/**
 * The departments fixture (docs/views.md, Departments and comparisons): two workflows in two
 * departments and one in none, their work orders sent as CloudEvents with their own times in March
 * 2026, and each group's row counted from the ledger's own events, never from the views.
 */
/** A two-step workflow whose break-glass owes desk-lead a post-review within the hour. */
export const workflow = (jobType: string, department?: string): WorkflowDefinition => ({
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

export const T = Date.parse('2026-03-02T08:00:00.000Z');
export const at = (minutes: number) => new Date(T + minutes * 60_000).toISOString();
export const WINDOW = {
  from: '2026-03-01T00:00:00.000Z',
  to: '2026-04-01T00:00:00.000Z',
  asOf: '2026-04-01T00:00:00.000Z',
};
export const query = `from=${WINDOW.from}&to=${WINDOW.to}&asOf=${WINDOW.asOf}`;

const ratio = (part: number, whole: number) => (whole ? Math.round((part / whole) * 10_000) / 10_000 : null);
const per100 = (count: number, whole: number) => (whole ? Math.round((count * 10_000) / whole) / 100 : null);
/** Nearest rank: the smallest value with at least share p of the values at or below it. */
const rank = (sorted: number[], p: number) => sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)] ?? null;

/**
 * The row each group must show, counted from the ledger's own events (test/support/ledger-tally.ts
 * and the events read here), never from the views: the work orders closed in the window, grouped by
 * the department of the workflow version they opened under (or by job type).
 */
export function countedFromLedger(
  events: RecordedEvent[],
  by: 'department' | 'jobType',
  window: { from: string; to: string; asOf: string } = WINDOW,
): CompareRow[] {
  const ledger = tally(events);
  const departments = new Map<string, string | null>();
  const groupOf = new Map<string, string | null>();
  /** Each work order's post-reviews (one per break-glass): created, due and completed (if it was). */
  const postReviews = new Map<string, Array<{ id: string; createdAt: number; dueAt: number }>>();
  const completedAt = new Map<string, number>();
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
    if (glass) {
      const { postReviewId, postReviewDueAt } = glass.data;
      const review = { id: postReviewId, createdAt: Date.parse(e.occurredAt), dueAt: Date.parse(postReviewDueAt) };
      postReviews.set(id, [...(postReviews.get(id) ?? []), review]);
    }
    if (e.type === 'PostReviewCompleted' && !completedAt.has(id)) completedAt.set(id, Date.parse(e.occurredAt));
    if (e.type === 'WorkOrderReopened') reopened.add(id);
  }
  const closed = [...ledger.workOrders.values()].filter(
    (wo) => wo.closedAt !== null && wo.closedAt >= Date.parse(window.from) && wo.closedAt < Date.parse(window.to),
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
    const glass = wos.filter((wo) => postReviews.has(wo.id)).length;
    // Open at asOf (created by then, not completed by then) and past due.
    const asOf = Date.parse(window.asOf);
    const overdue = wos
      .flatMap((wo) => postReviews.get(wo.id) ?? [])
      .filter((p) => p.createdAt <= asOf && (completedAt.get(p.id) ?? Infinity) > asOf && p.dueAt < asOf);
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
 * The comparison's `rows` against those `counted` from the ledger's events: every number equal but
 * the times to close, each within 4% or 1 s of the exact nearest rank (docs/views.md, Departments
 * and comparisons: they are read from buckets 4% wide), and their spread the ratio of those answered.
 */
export function expectComparedToLedger(rows: CompareRow[], counted: CompareRow[]): void {
  const counts = (r: CompareRow) => ({
    ...r,
    timeToCloseP50Seconds: undefined,
    timeToCloseP95Seconds: undefined,
    timeToCloseSpread: undefined,
  });
  expect(rows.map(counts)).toEqual(counted.map(counts));
  rows.forEach((r, i) => {
    for (const p of ['timeToCloseP50Seconds', 'timeToCloseP95Seconds'] as const) {
      const want = counted[i][p];
      if (want === null) expect(r[p]).toBeNull();
      else expect(Math.abs((r[p] ?? NaN) - want)).toBeLessThanOrEqual(Math.max(1, 0.04 * Math.abs(want)));
    }
    const [p50, p95] = [r.timeToCloseP50Seconds, r.timeToCloseP95Seconds];
    expect(r.timeToCloseSpread).toBe(p50 && p95 !== null ? Math.round((p95 / p50) * 100) / 100 : null);
  });
}

/** Sends the fixture's events as the integrator `desk` (a client with the integrator role). */
export function departmentEvents(desk: Client) {
  async function send(ref: string, type: string, minutes: number, data: Record<string, unknown> = {}) {
    const time = at(minutes);
    const r = await desk<IngestAnswer>(
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

  return { send, open, steps, close, breakGlass, reported };
}

/**
 * Publishes the three workflows and sends their work orders: field-service F1-F3 (F2 blocked,
 * break-glass, reported closed without evidence), billing B1-B2 (B2 break-glass, reported closed),
 * no department N1 (closed) and N2 (open).
 */
export async function seedDepartments(t: TestWorkgate, desk: Client): Promise<ReturnType<typeof departmentEvents>> {
  const events = departmentEvents(desk);
  const { send, open, steps, close, breakGlass, reported } = events;
  for (const definition of [
    workflow('field-visit', 'field-service'),
    workflow('billing-fix', 'billing'),
    workflow('misc-fix'),
  ])
    await t.rpc.request(Subjects.policy.publish, { definition });
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
  return events;
}
