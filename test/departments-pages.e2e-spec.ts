/// <reference lib="dom" />
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { Browser, Locator, Page } from 'playwright-core';
import { CompareRow } from '@workgate/contracts';
import { ARTIFACTS, closeContexts, consolePage } from './support/console-page';
import { countedFromLedger, query, seedDepartments, WINDOW } from './support/department-fixture';
import { ledgerEvents } from './support/ledger-tally';
import { eventually } from './support/processes';
import { onWorkgate } from './support/suite';
import { startTestWorkgate } from './support/workgate';

const IMAGES = join(__dirname, '..', 'docs', 'images');

/** A ratio as the page says it: `66.7%`, `—` without one. */
const pct = (r: number | null) => (r === null ? '—' : `${(Math.round(r * 1000) / 10).toFixed(1)}%`);
/** Per 100, up to two places. */
const per100 = (n: number | null) => (n === null ? '—' : String(Math.round(n * 100) / 100));
/** The fixture's durations are whole minutes under a day: `45 min`, `2 h`, `1 h 30 min`. */
function time(seconds: number | null): string {
  if (seconds === null) return '—';
  const [hours, minutes] = [Math.floor(seconds / 3600), Math.floor((seconds % 3600) / 60)];
  return [hours ? `${hours} h` : '', minutes ? `${minutes} min` : ''].filter(Boolean).join(' ');
}

/** Each cell of a group's row as the page must show it: the value, and beneath it the counts (` | `). */
function expectedRow(r: CompareRow, group: string) {
  const codes = Object.entries(r.exceptionsPer100ByCode)
    .sort(([a, x], [b, y]) => y - x || a.localeCompare(b))
    .map(([code, n]) => `${code} ${per100(n)}`);
  return {
    group,
    cells: {
      workOrders: `${r.workOrders}`,
      firstTimeFixRate: `${pct(r.firstTimeFixRate)} | ${r.firstTimeFix} of ${r.workOrders}`,
      exceptionsPer100: `${per100(r.exceptionsPer100)} | ${r.exceptions} raised`,
      exceptionsPer100ByCode: ` | ${codes.length ? codes.join('; ') : '—'}`,
      closureEvidenceShare: `${pct(r.closureEvidenceShare)} | ${r.closuresWithEvidence} of ${r.workOrders}`,
      stepEvidenceShare: `${pct(r.stepEvidenceShare)} | ${r.stepsWithEvidence} of ${r.stepsRequired}`,
      timeToCloseP50Seconds: time(r.timeToCloseP50Seconds),
      timeToCloseP95Seconds: time(r.timeToCloseP95Seconds),
      timeToCloseSpread: r.timeToCloseSpread === null ? '—' : `×${r.timeToCloseSpread}`,
      breakGlassRate: `${pct(r.breakGlassRate)} | ${r.breakGlass} of ${r.workOrders}`,
      overduePostReviews: `${r.overduePostReviews}`,
    },
  };
}

/** The comparison's rows as `scope` shows them, cell by cell. */
const shownRows = (page: Page, scope: string) =>
  page.$$eval(`${scope} .compare tbody tr`, (trs) =>
    trs.map((tr) => ({
      group: tr.getAttribute('data-group') ?? '',
      cells: Object.fromEntries(
        Array.from(tr.querySelectorAll('td')).map((td) => {
          const value = td.querySelector('.value')?.textContent ?? '';
          const beneath = td.querySelector('.beneath');
          const items = beneath ? Array.from(beneath.querySelectorAll('li')).map((li) => li.textContent) : [];
          const under = beneath ? (items.length ? items.join('; ') : (beneath.textContent ?? '')) : null;
          return [td.dataset.measure ?? '', under === null ? value : `${value} | ${under}`];
        }),
      ),
    })),
  );

/**
 * `box` at 1920 and 420 px (test/artifacts and docs/images, `<name>-1920.png`, `<name>-420.png`):
 * at 420 px nothing in it reaches past the screen and the page does not scroll sideways.
 */
async function shootWideAndNarrow(page: Page, box: Locator, name: string): Promise<void> {
  for (const width of [1920, 420]) {
    await page.setViewportSize({ width, height: 1000 });
    // The page does not scroll sideways, once its charts have followed the new width.
    await page.waitForFunction(() => document.documentElement.scrollWidth <= window.innerWidth, null, {
      timeout: 5000,
    });
    const widest = await box.evaluate((el) =>
      Math.max(...Array.from(el.querySelectorAll('*')).map((e) => e.getBoundingClientRect().right)),
    );
    expect(widest).toBeLessThanOrEqual(width);
    const file = `${name}-${width}.png`;
    await box.screenshot({ path: join(ARTIFACTS, file) });
    copyFileSync(join(ARTIFACTS, file), join(IMAGES, file));
  }
  await page.setViewportSize({ width: 1920, height: 1080 });
}

/**
 * The departments side by side on the dashboard and on the console's monthly review (docs/views.md,
 * Departments and comparisons), in Chromium: every number shown equals the count taken from the
 * ledger's events (test/support/department-fixture.ts), never from the views the pages read.
 */
describe('the departments on the dashboard and the monthly review page', () => {
  const suite = onWorkgate(
    { desk: ['integrator'], lead: ['analyst', 'ops-lead'], 'desk-lead': ['approver'] },
    (principals) => startTestWorkgate({ env: { WORKGATE_PRINCIPALS: principals.path } }),
  );
  let browser: Browser;
  let page: Page;
  const problems: string[] = [];
  const browserPage = consolePage(() => suite.t.url, suite.principals.keys, problems);

  beforeAll(async () => {
    ({ browser, page } = await browserPage.launch());
    await seedDepartments(suite.t, suite.as.desk);
    await eventually(
      async () => {
        const r = await suite.as.lead<CompareRow[]>('GET', `/v1/views/departments?${query}`);
        return r.status === 200 && r.body.reduce((n, g) => n + g.workOrders + g.breakGlass, 0) === 8;
      },
      30_000,
      'the comparison counts the six closures and both break-glasses',
    );
    // F2's post-review is completed now: still overdue as March ended, no longer now.
    const open = await suite.as['desk-lead']<Array<{ postReviewId: string; externalRef: string }>>(
      'GET',
      '/v1/post-reviews?owner=desk-lead',
    );
    const f2 = open.body.find((p) => p.externalRef === 'F2');
    const completed = await suite.as['desk-lead']('POST', `/v1/post-reviews/${f2?.postReviewId}/complete`, {
      outcome: 'justified: the courier was at the door',
      remediation: { title: 'call ahead of visits', owner: 'desk-lead', due: '2026-12-15T00:00:00Z' },
    });
    expect(completed.status).toBe(200);
    await eventually(
      async () => {
        const r = await suite.as.lead<CompareRow[]>('GET', '/v1/views/departments?from=2026-03-01T00:00:00Z');
        return r.body.find((g) => g.department === 'field-service')?.overduePostReviews === 0;
      },
      30_000,
      "F2's post-review no longer overdue",
    );
  }, 60_000);
  afterAll(() => closeContexts(browser));

  it("the dashboard's Departments section shows every measure as counted from the ledger, by department and by job type", async () => {
    await page.goto(`${suite.t.url}/`);
    await page.fill('#api-key', suite.principals.keys.lead);
    await page.click('#key-form button[type=submit]');
    await page.waitForSelector('body[data-state="ready"]', { timeout: 20_000 });
    await page.fill('#from', '2026-03-01');
    await page.fill('#to', '2026-03-31');
    await page.click('#filters button[type=submit]');
    await page.waitForSelector('body[data-state="ready"]');
    // The window the page asked for, as its CSV link names it: March, measured when the page refreshed.
    const href = (await page.getAttribute('#departments a.csv', 'href')) ?? '';
    const asked = new URL(href, suite.t.url);
    expect(asked.pathname).toBe('/v1/views/departments');
    const day = (key: string) => new Date(asked.searchParams.get(key) ?? '').toISOString();
    expect([day('from'), day('to')]).toEqual([WINDOW.from, WINDOW.to]);
    const window = { from: WINDOW.from, to: WINDOW.to, asOf: asked.searchParams.get('asOf') ?? '' };
    const events = await ledgerEvents(suite.t);
    const byDepartment = countedFromLedger(events, 'department', window);
    expect(byDepartment.map((r) => r.department)).toEqual(['billing', 'field-service', null]);
    expect(await shownRows(page, '#departments')).toEqual(
      byDepartment.map((r) => expectedRow(r, r.department ?? 'no department')),
    );
    expect(await page.textContent('#departments .count')).toBe('3 departments, 6 work orders closed');
    // field-service broke glass once and has reviewed it since: none overdue now.
    expect(byDepartment[1]).toMatchObject({ department: 'field-service', breakGlass: 1, overduePostReviews: 0 });

    await page.selectOption('#compare-by', 'jobType');
    await page.waitForFunction(() =>
      document.querySelector('#departments a.csv')?.getAttribute('href')?.includes('by=jobType'),
    );
    await page.waitForSelector('body[data-state="ready"]');
    const byJobType = countedFromLedger(events, 'jobType', window);
    expect(byJobType.map((r) => r.jobType)).toEqual(['billing-fix', 'field-visit', 'misc-fix']);
    expect(await shownRows(page, '#departments')).toEqual(byJobType.map((r) => expectedRow(r, r.jobType ?? '')));

    await page.selectOption('#compare-by', 'department');
    await page.waitForFunction(
      () => !document.querySelector('#departments a.csv')?.getAttribute('href')?.includes('by='),
    );
    await page.waitForSelector('body[data-state="ready"]');
    await shootWideAndNarrow(page, page.locator('#departments'), 'dashboard-departments');
    expect(problems).toEqual([]);
  }, 60_000);

  it("the monthly review page shows the month's departments as counted from the ledger, the workflow's own picked out", async () => {
    // A page of its own: the dashboard's tab holds the key in its sessionStorage.
    const review = await browserPage.signedIn(browser, 'lead', '#/review/field-visit?month=2026-03');
    const part = review.locator('#review .review-part', {
      has: review.getByRole('heading', { name: 'Departments this month' }),
    });
    await part.waitFor();
    const month = { from: WINDOW.from, to: WINDOW.to, asOf: '2026-03-31T23:59:59.999Z' };
    const counted = countedFromLedger(await ledgerEvents(suite.t), 'department', month);
    // As March ended, F2's post-review was still open and past due.
    expect(counted[1]).toMatchObject({ department: 'field-service', breakGlass: 1, overduePostReviews: 1 });
    expect(await shownRows(review, '#review')).toEqual(
      counted.map((r) => expectedRow(r, r.department ?? 'no department')),
    );
    const mine = await review.$$eval('#review .compare tr.mine', (trs) =>
      trs.map((tr) => tr.getAttribute('data-group')),
    );
    expect(mine).toEqual(['field-service']);
    await shootWideAndNarrow(review, part, 'console-review-departments');
    expect(problems).toEqual([]);
  }, 60_000);
});
