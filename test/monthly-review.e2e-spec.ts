/// <reference lib="dom" />
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { Browser, Page } from 'playwright-core';
import { MonthlyReview, Subjects, WorkflowDefinition } from '@workgate/contracts';
import { ARTIFACTS, consolePage } from './support/console-page';
import { eventually } from './support/processes';
import { client, clientsFor, writePrincipals } from './support/principals';
import { startTestWorkgate, TestWorkgate } from './support/workgate';
import type { IngestAnswer } from './support/answers';
import { ledgerEvents, tally } from './support/ledger-tally';
import { expectReviewMatchesLedger } from './support/review-views';

/** The last whole month (`M`) and the one before it (`P`), as `YYYY-MM`, and an instant in either. */
const now = new Date();
const monthOf = (back: number) => {
  const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - back, 1));
  return d.toISOString().slice(0, 7);
};
const M = monthOf(1);
const P = monthOf(2);
const at = (month: string, day: number, hour: number) =>
  `${month}-${String(day).padStart(2, '0')}T${String(hour).padStart(2, '0')}:00:00.000Z`;
/** The month's window (docs/views.md, The monthly review): its first instant, the next month's, its last millisecond. */
const windowOf = (month: string, next: string) => ({
  from: `${month}-01T00:00:00.000Z`,
  to: `${next}-01T00:00:00.000Z`,
  asOf: new Date(Date.parse(`${next}-01T00:00:00.000Z`) - 1).toISOString(),
});

const deskFix: WorkflowDefinition = {
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
 */
describe('the monthly review (docs/views.md, The monthly review)', () => {
  let t: TestWorkgate;
  const principals = writePrincipals({
    desk: ['integrator'],
    agent: ['operator'],
    analyst: ['analyst'],
    lead: ['ops-lead', 'analyst'],
    designer: ['ops-lead', 'admin'],
  });
  let as: Record<string, ReturnType<typeof client>>;

  async function send(ref: string, type: string, time: string, data: Record<string, unknown> = {}): Promise<void> {
    const r = await as.desk<IngestAnswer>(
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
    (await as.lead<MonthlyReview>('GET', `/v1/workflows/desk-fix/review?month=${month}`)).body;

  beforeAll(async () => {
    // PAYMENT_MISMATCH escalates to duty-manager a second after a one-second SLA.
    const catalog = join(mkdtempSync(join(tmpdir(), 'wg-catalog-')), 'codes.yaml');
    writeFileSync(
      catalog,
      readFileSync(join(__dirname, '..', 'config', 'exception-codes.yaml'), 'utf8').replace(
        /(code: PAYMENT_MISMATCH,.*sla: )PT8H/,
        '$1PT1S, escalateAfter: PT1S, escalateTo: duty-manager',
      ),
    );
    t = await startTestWorkgate({ env: { WORKGATE_PRINCIPALS: principals.path, WORKGATE_EXCEPTION_CODES: catalog } });
    as = clientsFor(t.url, principals.keys);
    await t.rpc.request(Subjects.policy.publish, { definition: deskFix });
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
  afterAll(() => t?.close());

  it('answers every section with the numbers counted by hand', async () => {
    const r = await review(M);
    expect(r.month).toEqual({ month: M, ...windowOf(M, monthOf(0)) });
    expect(r.previous).toEqual({ month: P, ...windowOf(P, M) });
    expect(r.topCodes).toEqual([
      {
        code: 'ADDRESS_INVALID',
        owner: 'support-lead',
        stepId: 'b',
        raised: { thisMonth: 3, lastMonth: 0, change: 3 },
        workOrders: { thisMonth: 3, lastMonth: 0, change: 3 },
        openAtEnd: 3,
      },
      {
        code: 'CUSTOMER_UNREACHABLE',
        owner: 'support-lead',
        stepId: 'a',
        raised: { thisMonth: 1, lastMonth: 1, change: 0 },
        workOrders: { thisMonth: 1, lastMonth: 1, change: 0 },
        openAtEnd: 1,
      },
    ]);
    // Opened 7 (M1-M7), 4 blocked past four hours; last month 3, 1 (P2).
    expect(r.stalls.workOrders).toEqual({ thisMonth: 7, lastMonth: 3, change: 4 });
    expect(r.stalls.stalled).toEqual({ thisMonth: 4, lastMonth: 1, change: 3 });
    expect(r.stalls.stallRate).toEqual({ thisMonth: 0.5714, lastMonth: 0.3333, change: 0.2381 });
    expect(
      r.stalls.hotspots.map((h) => [h.stepId, h.stalled.thisMonth, h.blocked.thisMonth, h.stalled.lastMonth]),
    ).toEqual([
      ['a', 2, 2, 1],
      ['b', 2, 2, 0],
    ]);
    // Closed: M1 with evidence, M5 and M6 reported without; last month P1 with, P3 without.
    expect(r.evidence.closures).toEqual({ thisMonth: 3, lastMonth: 2, change: 1 });
    expect(r.evidence.closureShare).toEqual({ thisMonth: 0.3333, lastMonth: 0.5, change: -0.1667 });
    expect(r.closuresWithoutEvidence.count).toEqual({ thisMonth: 2, lastMonth: 1, change: 1 });
    expect(r.closuresWithoutEvidence.workOrders.map((w) => w.externalRef)).toEqual(['M6', 'M5']);
    // Every exception stayed open far past its SLA (8 h, 24 h).
    expect(r.exceptions).toEqual({
      raised: { thisMonth: 4, lastMonth: 1, change: 3 },
      breached: { thisMonth: 4, lastMonth: 1, change: 3 },
      escalated: { thisMonth: 0, lastMonth: 0, change: 0 },
    });
    expect(r.draft).toEqual({
      draftId: null,
      source: 'none',
      note: 'desk-fix has no draft.',
      evaluated: { thisMonth: null, lastMonth: null, change: null },
      changed: { thisMonth: null, lastMonth: null, change: null },
      decisions: [],
    });
  });

  it("each section's numbers equal those counted from the ledger's own events for the same windows", async () => {
    const r = await review(M);
    const ledger = tally(await ledgerEvents(t));
    expectReviewMatchesLedger(r, 'thisMonth', ledger, r.month);
    expectReviewMatchesLedger(r, 'lastMonth', ledger, r.previous);
  });

  it("this month so far: an exception breached, then escalated, is counted as the ledger's events count it", async () => {
    const opened = new Date().toISOString();
    await open('N1', opened);
    await block('N1', 'a', 'PAYMENT_MISMATCH', opened);
    const thisMonth = monthOf(0);
    const r = await eventually(
      async () => {
        const answer = await review(thisMonth);
        return answer.exceptions.escalated.thisMonth === 1 ? answer : undefined;
      },
      20_000,
      'the exception to be escalated',
    );
    expect(r.exceptions).toEqual({
      raised: { thisMonth: 1, lastMonth: 4, change: -3 },
      breached: { thisMonth: 1, lastMonth: 4, change: -3 },
      escalated: { thisMonth: 1, lastMonth: 0, change: 1 },
    });
    expect(r.topCodes[0]).toMatchObject({ code: 'PAYMENT_MISMATCH', owner: 'finance-lead', stepId: 'a', openAtEnd: 1 });
    const ledger = tally(await ledgerEvents(t));
    expectReviewMatchesLedger(r, 'thisMonth', ledger, r.month);
    expectReviewMatchesLedger(r, 'lastMonth', ledger, r.previous);
  });

  it('the decisions of the month a draft would change: the draft asked for, else the latest', async () => {
    const draft = await as.designer<{ draftId: string; problems: unknown[] }>('POST', '/v1/workflows/desk-fix/drafts', {
      definition: { ...deskFix, version: 2, systems: [{ name: 'payments', read: true, write: ['refund'] }] },
    });
    expect(draft.status).toBe(201);
    expect(draft.body.problems).toEqual([]);
    const asked = (
      await as.lead<MonthlyReview>('GET', `/v1/workflows/desk-fix/review?month=${M}&draft=${draft.body.draftId}`)
    ).body;
    expect(asked.draft).toMatchObject({
      draftId: draft.body.draftId,
      source: 'requested',
      note: null,
      evaluated: { thisMonth: 1, lastMonth: 0, change: 1 },
      changed: { thisMonth: 1, lastMonth: 0, change: 1 },
    });
    const ids = (await as.lead<Array<{ id: string }>>('GET', '/v1/work-orders?source=desk&externalRef=M5')).body;
    expect(asked.draft.decisions).toEqual([
      expect.objectContaining({
        workOrderId: ids[0].id,
        before: expect.objectContaining({ decision: 'stop' }),
        after: expect.objectContaining({ decision: 'run' }),
      }),
    ]);
    const latest = (await review(M)).draft;
    expect(latest).toMatchObject({ draftId: draft.body.draftId, source: 'latest', changed: asked.draft.changed });
  });

  it('December is compared with November, January with December; the default is the current month', async () => {
    const r = await review(M);
    expect(r.previous.to).toBe(r.month.from);
    const dec = await as.lead<MonthlyReview>('GET', `/v1/workflows/desk-fix/review?month=2025-01`);
    expect(dec.body.previous).toMatchObject({
      month: '2024-12',
      from: '2024-12-01T00:00:00.000Z',
      to: '2025-01-01T00:00:00.000Z',
    });
    const current = await as.lead<MonthlyReview>('GET', '/v1/workflows/desk-fix/review');
    expect(current.body.month.month).toBe(monthOf(0));
    expect(current.body.previous.month).toBe(M);
  });

  it('refuses a bad month naming the parameter, other roles and unknown job types', async () => {
    for (const month of ['2026-13', 'March', '2026-1', '9999-01']) {
      const bad = await as.lead('GET', `/v1/workflows/desk-fix/review?month=${month}`);
      expect(bad.status).toBe(422);
      expect(bad.body).toMatchObject({ error: 'validation_failed', details: [{ path: 'month' }] });
    }
    expect((await as.agent('GET', '/v1/workflows/desk-fix/review')).status).toBe(403);
    expect((await as.analyst('GET', '/v1/workflows/desk-fix/review')).status).toBe(200);
    expect((await as.lead('GET', '/v1/workflows/no-such-job/review')).status).toBe(404);
    expect((await as.lead('GET', '/v1/workflows/desk-fix/review?draft=no-such-draft')).status).toBe(404);
  });

  describe('the Review page of the console', () => {
    let browser: Browser;
    let page: Page;
    const problems: string[] = [];

    beforeAll(async () => {
      ({ browser, page } = await launch());
    }, 60_000);
    afterAll(() => browser?.close());

    // Every console error counts here, a 403 too.
    const browserPage = consolePage(() => t.url, principals.keys, problems, null);
    const { launch, signIn } = browserPage;
    const ready = () => browserPage.ready(page);

    it('is reached from the Workflows tab and reads the month against the one before', async () => {
      await signIn(page, 'designer', '#/workflows/desk-fix');
      await page.getByRole('link', { name: 'Monthly review' }).click();
      await page.waitForFunction(() => location.hash.startsWith('#/review/desk-fix'));
      await ready();
      const title = new Intl.DateTimeFormat('en-GB', { month: 'long', year: 'numeric', timeZone: 'UTC' }).format(
        new Date(`${M}-01T00:00:00Z`),
      );
      // Without a month it opens on the last whole month.
      expect(await page.evaluate(() => location.hash)).toBe('#/review/desk-fix');
      expect(await page.locator('#review .heading h3').innerText()).toContain(title);
      await page.evaluate((h) => (location.hash = h), `#/review/desk-fix?month=${M}`);
      await page.waitForFunction((t) => document.querySelector('#review h3')?.textContent?.includes(t), title);
      await ready();
      const text = (await page.locator('#review').innerText()).replace(/\s+/g, ' ');
      // The measures as a person reads them: 4 of 7 stalled, a third of closures with evidence.
      expect(text).toContain('57.1% stall rate last month 33.3% · +23.8 pts');
      expect(text).toContain('33.3% closures with evidence last month 50% · −16.7 pts');
      expect(text).toContain('2 closures without evidence last month 1 · +1');
      for (const heading of [
        'Top exception codes',
        'Stall hotspots',
        'Evidence',
        'Breached and escalated',
        'Decisions a draft would change',
      ])
        await expect(page.getByRole('heading', { name: heading, exact: true }).count()).resolves.toBe(1);
      await expect(page.getByRole('link', { name: 'M6' }).count()).resolves.toBe(1);
      // The designer's entry point: the current version opened as a new draft.
      const draft = page.getByRole('link', { name: 'Draft a new version' });
      await expect(draft.getAttribute('href')).resolves.toBe('#/workflows/desk-fix?draft=new');
      await page.screenshot({ path: join(ARTIFACTS, 'console-review-1920.png'), fullPage: true });
      await page.setViewportSize({ width: 420, height: 900 });
      await page.screenshot({ path: join(ARTIFACTS, 'console-review-420.png'), fullPage: true });
      expect(problems).toEqual([]);
    }, 60_000);
  });
});
