/// <reference lib="dom" />
import { join } from 'node:path';
import { Browser, Page } from 'playwright-core';
import type { OpenedAnswer } from '@workgate/contracts';
import { seedDemo } from '../cli/demo';
import { eventually } from './support/processes';
import { client, writePrincipals } from './support/principals';
import { startTestWorkgate, TestWorkgate } from './support/workgate';
import { viewsCaughtUp } from './support/views-caught-up';
import { ARTIFACTS, closeContexts, launchWatched, watcher } from './support/console-page';
import {
  UUID,
  FIRST_COLUMN,
  percentText,
  expectedFirstColumn,
  tableOf,
  expectedChart,
  ViewRow,
} from './support/dashboard-tables';

/**
 * The dashboard in a real headless Chromium over the demo month: every chart's data equals what
 * the view API answers for the same query, and every table shows the same rows as a person reads
 * them (the measure first, percentages, human durations, totals, external refs linked to the
 * work order, never a bare UUID); nothing is refused by the page's strict
 * Content-Security-Policy; it fits 420 px and 1920 px; screenshots are kept under test/artifacts/.
 */
describe('the ops dashboard in a real browser', () => {
  let t: TestWorkgate;
  let browser: Browser;
  let page: Page;
  const principals = writePrincipals({
    lead: ['analyst', 'ops-lead'],
    agent: ['operator'],
    helpdesk: ['integrator', 'operator'],
  });
  const problems: string[] = [];

  beforeAll(async () => {
    // Chromium starts while the demo month is sent; its page collects script and console errors.
    const launching = launchWatched(watcher(problems), { viewport: { width: 1440, height: 900 } });
    launching.catch(() => undefined);
    try {
      t = await startTestWorkgate({ env: { WORKGATE_PRINCIPALS: principals.path } });
      const summary = await seedDemo(t.nc, { days: 30, perDay: 5, seed: 11 });
      expect(summary.workOrders).toBeGreaterThan(100);
      // And a refund asked just now, still waiting for its owner: the approval queue is never empty,
      // whatever the demo's owners decided.
      const helpdesk = client(t.url, principals.keys.helpdesk);
      const opened = await helpdesk<OpenedAnswer>('POST', '/v1/work-orders', {
        jobType: 'support-recovery',
        externalRef: 'CS-WAITING',
        source: 'helpdesk',
        inputs: { caseId: 'CS-WAITING', orderId: 'SO-1', orderPaid: true },
      });
      const refund = { system: 'payments', operation: 'refund', kind: 'write' };
      expect((await helpdesk('POST', `/v1/work-orders/${opened.body.id}/actions`, refund)).status).toBe(201);
      // Everything the demo caused has reached the views.
      await viewsCaughtUp(t);
    } finally {
      ({ browser, page } = await launching);
    }
  }, 180_000);
  afterAll(async () => {
    await closeContexts(browser);
    await t?.close();
  });

  const api = async (path: string): Promise<ViewRow[]> => {
    const r = await client(t.url, principals.keys.lead)<ViewRow[]>('GET', path);
    expect(r.status).toBe(200);
    return r.body;
  };

  it('serves the page with a strict CSP and asks for a key', async () => {
    const res = await page.goto(`${t.url}/`);
    expect(res?.status()).toBe(200);
    const csp = res?.headers()['content-security-policy'] ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(await page.getAttribute('body', 'data-state')).toBe('locked');
    // The console is one click away, before any key is entered.
    await page.getByRole('link', { name: 'Console', exact: true }).click();
    await page.waitForURL(`${t.url}/console`);
    expect(await page.title()).toBe('workgate — console');
    await page.waitForSelector('body[data-state="signed-out"] #api-key');
    await page.goto(`${t.url}/`);
    expect((await fetch(`${t.url}/dashboard/..%2F..%2Fpackage.json`)).status).toBe(404);
    expect((await fetch(`${t.url}/dashboard/dashboard.js`)).headers.get('content-type')).toMatch(/^text\/javascript/);
    expect((await fetch(`${t.url}/shared/duration.js`)).headers.get('content-type')).toMatch(/^text\/javascript/);
    expect((await fetch(`${t.url}/shared/shared.spec.ts`)).status).toBe(404);
  });

  it('refuses a key without the analyst or ops-lead role', async () => {
    await page.fill('#api-key', principals.keys.agent);
    await page.click('#key-form button[type=submit]');
    await page.waitForFunction(() => document.querySelector('#status')?.classList.contains('error'));
    expect(await page.textContent('#status')).toContain('lacks the analyst or ops-lead role');
    // Every view was asked at once and each is refused: let all the refusals land in this test.
    const views = await page.$$eval('main section', (els) => els.length);
    await eventually(
      async () => problems.filter((p) => p.includes('status of 403')).length >= views,
      10_000,
      'every view refused',
    );
  });

  it('shows every chart and table exactly as the view API answers, and saves a screenshot', async () => {
    problems.length = 0; // the refused key above logged its 403
    await page.fill('#api-key', principals.keys.lead);
    await page.click('#key-form button[type=submit]');
    await page.waitForSelector('body[data-state="ready"]', { timeout: 20_000 });

    const sections = await page.$$eval('main section', (els) =>
      els.map((el) => ({
        id: el.id,
        csv: el.querySelector('a.csv')?.getAttribute('href') ?? '',
        hasChart: !!el.querySelector('canvas'),
      })),
    );
    expect(sections.map((s) => s.id)).toEqual([
      'trends',
      'top-codes',
      'stall-rates',
      'first-time-fix',
      'post-reviews',
      'approvals',
      'evidence',
      'closures',
      'departments',
    ]);
    let rowsShown = 0;
    // The departments' table is checked against the ledger's events (test/departments-pages.e2e-spec.ts).
    for (const s of sections.filter((x) => x.id !== 'departments')) {
      expect(s.csv).toMatch(/^\/v1\/views\//);
      const rows = await api(s.csv);
      const shown = await tableOf(page, s.id);
      // One table row per view row (per code over the range for the trend), the measure first.
      expect(shown.body.length).toBe(s.id === 'trends' ? new Set(rows.map((r) => r.code)).size : rows.length);
      expect(shown.head[0]).toBe(FIRST_COLUMN[s.id]);
      for (const cells of shown.body) {
        for (const text of cells) {
          expect(text).not.toMatch(UUID); // ids live in links and titles, not in the text
          expect(text).not.toMatch(/^P(\d|T)/); // no ISO 8601 durations
          expect(text).not.toMatch(/^0\.\d+$/); // no bare ratios
        }
      }
      expect(shown.body.map((cells) => cells[0])).toEqual(await expectedFirstColumn(page, s.id, rows));
      rowsShown += shown.body.length;
      if (!s.hasChart) continue;
      const chart = await page.evaluate((id) => {
        const c = window.Chart?.getChart(`${id}-chart`);
        if (!c) throw new Error(`no chart ${id}-chart on the page`);
        return { labels: c.data.labels, datasets: c.data.datasets.map((d) => ({ label: d.label, data: d.data })) };
      }, s.id);
      expect(chart).toEqual(expectedChart(s.id, rows));
    }
    // Totals: the stall rate of all job types is stalled over opened, not an average of rates.
    const stallRows = await api(sections.find((s) => s.id === 'stall-rates')!.csv);
    const stallTotal = (await tableOf(page, 'stall-rates')).foot;
    const stalled = stallRows.reduce((n, r) => n + r.stalled, 0);
    const opened = stallRows.reduce((n, r) => n + r.workOrders, 0);
    expect(stallTotal.slice(0, 3)).toEqual([
      percentText(stalled / opened),
      'all job types',
      `${stalled.toLocaleString('en-US')} of ${opened.toLocaleString('en-US')}`,
    ]);
    // Counts are said, not left to be counted; external refs link to the work order.
    const pending = await api(sections.find((s) => s.id === 'approvals')!.csv);
    expect(await page.textContent('#approvals .count')).toMatch(
      new RegExp(`^${pending.length} pending, oldest \\d+ (w|d|h|min|s)`),
    );
    const links = await page.$$eval('#approvals tbody a', (as) =>
      as.map((a) => ({ text: a.textContent, href: a.getAttribute('href') })),
    );
    expect(links.length).toBe(pending.length);
    const oldest = [...pending].sort((a, b) => b.ageSeconds - a.ageSeconds)[0];
    expect(links[0]).toEqual({ text: oldest.externalRef, href: `/console#/work-orders/${oldest.workOrderId}` });
    expect(rowsShown).toBeGreaterThan(20);
    // The demo month has something in every chart.
    for (const id of ['trends', 'top-codes', 'stall-rates', 'first-time-fix'])
      expect((await api(sections.find((s) => s.id === id)!.csv)).length).toBeGreaterThan(0);

    // A filter reaches every view.
    await page.selectOption('#job-type', 'field-work-order');
    await page.click('#filters button[type=submit]');
    await page.waitForSelector('body[data-state="ready"]');
    const stall = await page.$$eval('#stall-rates tbody tr td:nth-child(2)', (tds) => tds.map((td) => td.textContent));
    expect(stall).toEqual(['field-work-order']);
    await page.selectOption('#job-type', '');
    await page.click('#filters button[type=submit]');
    await page.waitForSelector('body[data-state="ready"]');

    await page.screenshot({ path: join(ARTIFACTS, 'dashboard.png'), fullPage: true });
    expect(problems).toEqual([]);
  });

  it('fits a 420 px and a 1920 px screen without scrolling sideways, and saves both', async () => {
    for (const width of [420, 1920]) {
      await page.setViewportSize({ width, height: 1000 });
      await page.reload();
      await page.waitForSelector('body[data-state="ready"]', { timeout: 20_000 });
      expect(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(
        0,
      );
      // Every section fits its column: a wide table scrolls inside its own box, not the page.
      const overflowing = await page.$$eval('main section', (els) =>
        els.filter((el) => el.getBoundingClientRect().right > window.innerWidth).map((el) => el.id),
      );
      expect(overflowing).toEqual([]);
      await page.screenshot({ path: join(ARTIFACTS, `dashboard-${width}.png`), fullPage: true });
    }
    expect(problems).toEqual([]);
  });
});
