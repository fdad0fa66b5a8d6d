/// <reference lib="dom" />
import { join } from 'node:path';
import { Browser, Page } from 'playwright-core';
import { MonthlyReview } from '@workgate/contracts';
import { ARTIFACTS, closeContexts, consolePage } from './support/console-page';
import { deskFix, M, monthlyReviewSuite, monthOf } from './support/monthly-review-seed';

/**
 * The monthly review asked for a draft and for a month (docs/views.md, The monthly review), its
 * refusals, and the console's Review page in Chromium, screenshots at 1920 and 420 px.
 */
describe('the monthly review: drafts, months and the Review page', () => {
  const { suite, review } = monthlyReviewSuite();
  const { as } = suite;

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
    afterAll(() => closeContexts(browser));

    // Every console error counts here, a 403 too.
    const browserPage = consolePage(() => suite.t.url, suite.principals.keys, problems, null);
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
