import { randomUUID } from 'node:crypto';
import { MonthlyReview, Subjects, WorkflowDefinition } from '@workgate/contracts';
import type { IngestAnswer } from './answers';
import { editedCatalog } from './catalog';
import { eventually } from './processes';
import { onWorkgate } from './suite';
import { startTestWorkgate } from './workgate';

/** The last whole month (`M`) and the one before it (`P`), as `YYYY-MM`, and an instant in either. */
const now = new Date();
export const monthOf = (back: number) => {
  const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - back, 1));
  return d.toISOString().slice(0, 7);
};
export const M = monthOf(1);
export const P = monthOf(2);
export const at = (month: string, day: number, hour: number) =>
  `${month}-${String(day).padStart(2, '0')}T${String(hour).padStart(2, '0')}:00:00.000Z`;
/** The month's window (docs/views.md, The monthly review): its first instant, the next month's, its last millisecond. */
export const windowOf = (month: string, next: string) => ({
  from: `${month}-01T00:00:00.000Z`,
  to: `${next}-01T00:00:00.000Z`,
  asOf: new Date(Date.parse(`${next}-01T00:00:00.000Z`) - 1).toISOString(),
});

export const deskFix: WorkflowDefinition = {
  jobType: 'desk-fix',
  version: 1,
  title: 'Desk fix',
  owner: 'desk-lead',
  requiredInputs: [{ name: 'ticket' }],
  systems: [{ name: 'payments', read: true, write: [] }],
  rules: [],
  steps: ['a', 'b'].map((id) => ({ id, title: `Step ${id}`, evidence: ['receipt'] })),
  approval: { timeout: 'P30D' },
  closure: { evidence: ['closure-note'] },
  exceptionCodes: ['CUSTOMER_UNREACHABLE', 'ADDRESS_INVALID', 'PAYMENT_MISMATCH'],
  stallAfter: 'PT4H',
};

/**
 * The monthly review over two back-dated months of work sent as CloudEvents with their own times:
 * each section's numbers are those an ops lead counts by hand, and those counted from the ledger's own events for
 * the same windows. Then the console's Review page in Chromium, screenshots at 1920 and 420 px.

/**
 * A workgate of the monthly review specs' own (test/monthly-review*.e2e-spec.ts), seeded with two
 * back-dated months of desk-fix work sent as CloudEvents with their own times (`P`, then `M`), and
 * the CloudEvents that seed it, for a test to send more. PAYMENT_MISMATCH escalates to
 * duty-manager a second after a one-second SLA.
 */
export function monthlyReviewSuite() {
  const suite = onWorkgate(
    {
      desk: ['integrator'],
      agent: ['operator'],
      analyst: ['analyst'],
      lead: ['ops-lead', 'analyst'],
      designer: ['ops-lead', 'admin'],
    },
    (principals) =>
      startTestWorkgate({
        env: {
          WORKGATE_PRINCIPALS: principals.path,
          WORKGATE_EXCEPTION_CODES: editedCatalog([
            /(code: PAYMENT_MISMATCH,.*sla: )PT8H/,
            '$1PT1S, escalateAfter: PT1S, escalateTo: duty-manager',
          ]),
        },
      }),
  );

  async function send(ref: string, type: string, time: string, data: Record<string, unknown> = {}): Promise<void> {
    const r = await suite.as.desk<IngestAnswer>(
      'POST',
      '/v1/events',
      JSON.stringify({ specversion: '1.0', id: randomUUID(), source: 'desk', type, subject: ref, time, data }),
      { 'Content-Type': 'application/cloudevents+json' },
    );
    if (r.status !== 202) throw new Error(`${type} for ${ref}: ${r.status} ${r.text}`);
  }
  const open = (ref: string, time: string) =>
    send(ref, 'workgate.workorder.open', time, { jobType: 'desk-fix', inputs: { ticket: ref } });
  const complete = (ref: string, stepId: string, time: string) =>
    send(ref, 'workgate.step.completed', time, { stepId, evidence: [{ kind: 'receipt', ref: `${ref}-${stepId}` }] });
  const block = (ref: string, stepId: string, code: string, time: string) =>
    send(ref, 'workgate.step.blocked', time, { stepId, code, rationale: 'as seeded' });
  const closeWithEvidence = (ref: string, time: string) =>
    send(ref, 'workgate.workorder.close', time, {
      closureEvidenceId: `${ref}-note`,
      evidence: [{ kind: 'closure-note', ref: `${ref}-note` }],
    });
  /** Opened on the month's 2nd at 10:00, both steps done, closed with evidence at 13:00. */
  async function cleanRun(ref: string, month: string): Promise<void> {
    await open(ref, at(month, 2, 10));
    for (const [i, step] of ['a', 'b'].entries()) await complete(ref, step, at(month, 2, 11 + i));
    await closeWithEvidence(ref, at(month, 2, 13));
  }
  const reported = (ref: string, time: string) =>
    send(ref, 'workgate.workorder.closure_reported', time, { note: 'closed in the helpdesk' });

  const review = async (month: string) =>
    (await suite.as.lead<MonthlyReview>('GET', `/v1/workflows/desk-fix/review?month=${month}`)).body;

  beforeAll(async () => {
    await suite.t.rpc.request(Subjects.policy.publish, { definition: deskFix });
    // P: one clean run; one blocked for good (CUSTOMER_UNREACHABLE); one closure reported without evidence.
    await cleanRun('P1', P);
    await open('P2', at(P, 3, 10));
    await block('P2', 'a', 'CUSTOMER_UNREACHABLE', at(P, 3, 11));
    await open('P3', at(P, 4, 10));
    await reported('P3', at(P, 5, 10));
    // M: one clean run; ADDRESS_INVALID three times (once at a, twice at b), CUSTOMER_UNREACHABLE once, all
    // left open; two closures reported without evidence.
    await cleanRun('M1', M);
    await open('M2', at(M, 2, 10));
    await block('M2', 'a', 'ADDRESS_INVALID', at(M, 2, 11));
    for (const ref of ['M3', 'M7']) {
      await open(ref, at(M, 3, 10));
      await complete(ref, 'a', at(M, 3, 11));
      await block(ref, 'b', 'ADDRESS_INVALID', at(M, 3, 12));
    }
    await open('M4', at(M, 4, 10));
    await block('M4', 'a', 'CUSTOMER_UNREACHABLE', at(M, 4, 11));
    await open('M5', at(M, 5, 10));
    // A refund the version refuses (payments takes no writes): a draft that allows it would run it.
    await send('M5', 'workgate.action.requested', at(M, 5, 11), {
      system: 'payments',
      operation: 'refund',
      kind: 'write',
    });
    await reported('M5', at(M, 6, 10));
    await open('M6', at(M, 6, 10));
    await reported('M6', at(M, 7, 10));
    await eventually(
      async () => {
        const r = await review(M);
        return (
          r?.closuresWithoutEvidence?.count.thisMonth === 2 &&
          r.topCodes[0]?.raised.thisMonth === 3 &&
          r.stalls.workOrders.thisMonth === 7
        );
      },
      20_000,
      'the views to hold the seeded months',
    );
  }, 90_000);

  return { suite, send, open, block, review };
}
