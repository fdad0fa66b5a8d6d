/// <reference lib="dom" />
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Browser, chromium, Page } from 'playwright-core';
import { seedDemo } from '../cli/demo';
import { eventually } from './support/processes';
import { client, writePrincipals } from './support/principals';
import { startTestWorkgate, TestWorkgate } from './support/workgate';

const CHROMIUM = process.env.WORKGATE_CHROMIUM ?? '/usr/bin/chromium';
const ARTIFACTS = join(__dirname, 'artifacts');

/**
 * The dashboard in a real headless Chromium over the demo month: every chart's data and every
 * table equal what the view API answers for the same query; nothing is refused by the page's
 * strict Content-Security-Policy; a screenshot is kept under test/artifacts/.
 */
describe('the ops dashboard in a real browser', () => {
  let t: TestWorkgate;
  let browser: Browser;
  let page: Page;
  const principals = writePrincipals({ lead: ['analyst', 'ops-lead'], agent: ['operator'] });
  const problems: string[] = [];

  beforeAll(async () => {
    t = await startTestWorkgate({ env: { WORKGATE_PRINCIPALS: principals.path } });
    const summary = await seedDemo(t.nc, { days: 30, perDay: 5, seed: 11 });
    expect(summary.workOrders).toBeGreaterThan(100);
    // Everything the demo caused has reached the views.
    await eventually(async () => {
      const { rows } = await t.db.appPool().query(
        `SELECT (SELECT position FROM projection_checkpoints WHERE name = 'views') AS views, (SELECT max(position) FROM ledger_events) AS head`,
      );
      return rows[0].views === rows[0].head;
    }, 30_000, 'the views to catch up');
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
    page.on('pageerror', (e) => problems.push(e.message));
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  const api = async (path: string) => {
    const r = await client(t.url, principals.keys.lead)('GET', path);
    expect(r.status).toBe(200);
    return r.body as Array<Record<string, unknown>>;
  };

  it('serves the page with a strict CSP and asks for a key', async () => {
    const res = await page.goto(`${t.url}/`);
    expect(res?.status()).toBe(200);
    const csp = res?.headers()['content-security-policy'] ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(await page.getAttribute('body', 'data-state')).toBe('locked');
    expect((await fetch(`${t.url}/dashboard/..%2F..%2Fpackage.json`)).status).toBe(404);
    expect((await fetch(`${t.url}/dashboard/dashboard.js`)).headers.get('content-type')).toMatch(/^text\/javascript/);
  });

  it('refuses a key without the analyst or ops-lead role', async () => {
    await page.fill('#api-key', principals.keys.agent);
    await page.click('#key-form button[type=submit]');
    await page.waitForFunction(() => document.querySelector('#status')?.classList.contains('error'));
    expect(await page.textContent('#status')).toContain('lacks the analyst or ops-lead role');
  });

  it('shows every chart and table exactly as the view API answers, and saves a screenshot', async () => {
    problems.length = 0; // the refused key above logged its 403
    await page.fill('#api-key', principals.keys.lead);
    await page.click('#key-form button[type=submit]');
    await page.waitForSelector('body[data-state="ready"]', { timeout: 20_000 });

    const sections = await page.$$eval('main section', (els) =>
      els.map((el) => ({ id: el.id, csv: (el.querySelector('a.csv') as HTMLAnchorElement | null)?.getAttribute('href') ?? '', hasChart: !!el.querySelector('canvas') })),
    );
    expect(sections.map((s) => s.id)).toEqual(['trends', 'top-codes', 'stall-rates', 'first-time-fix', 'post-reviews', 'approvals', 'evidence', 'closures']);
    let rowsShown = 0;
    for (const s of sections) {
      expect(s.csv).toMatch(/^\/v1\/views\//);
      const rows = await api(s.csv);
      const table = await page.$$eval(`#${s.id} table`, (tables) =>
        tables.flatMap((tb) => {
          const head = Array.from(tb.querySelectorAll('thead th')).map((th) => th.textContent ?? '');
          return Array.from(tb.querySelectorAll('tbody tr')).map((tr) => Object.fromEntries(Array.from(tr.querySelectorAll('td')).map((td, i) => [head[i], td.textContent ?? ''])));
        }),
      );
      const columns = table.length ? Object.keys(table[0]) : [];
      expect(table).toEqual(rows.map((r) => Object.fromEntries(columns.map((c) => [c, r[c] === null || r[c] === undefined ? '' : String(r[c])]))));
      rowsShown += table.length;
      if (!s.hasChart) continue;
      const chart = await page.evaluate((id) => {
        const c = (window as unknown as { Chart: { getChart(id: string): { data: { labels: string[]; datasets: Array<{ label: string; data: number[] }> } } } }).Chart.getChart(`${id}-chart`);
        return { labels: c.data.labels, datasets: c.data.datasets.map((d) => ({ label: d.label, data: d.data })) };
      }, s.id);
      expect(chart).toEqual(expectedChart(s.id, rows));
    }
    expect(rowsShown).toBeGreaterThan(20);
    // The demo month has something in every chart.
    for (const id of ['trends', 'top-codes', 'stall-rates', 'first-time-fix']) expect((await api(sections.find((s) => s.id === id)!.csv)).length).toBeGreaterThan(0);

    // A filter reaches every view.
    await page.selectOption('#job-type', 'field-work-order');
    await page.click('#filters button[type=submit]');
    await page.waitForSelector('body[data-state="ready"]');
    const stall = await page.$$eval('#stall-rates tbody tr td:first-child', (tds) => tds.map((td) => td.textContent));
    expect(stall).toEqual(['field-work-order']);
    await page.selectOption('#job-type', '');
    await page.click('#filters button[type=submit]');
    await page.waitForSelector('body[data-state="ready"]');

    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard.png'), fullPage: true });
    expect(problems).toEqual([]);
  });
});

/** What each chart must hold, computed from the view's rows. */
function expectedChart(id: string, rows: Array<Record<string, any>>) {
  const pct = (x: number | null) => (x === null ? 0 : Math.round(x * 1000) / 10);
  switch (id) {
    case 'trends': {
      const periods = [...new Set(rows.map((r) => r.period as string))].sort();
      const codes = [...new Set(rows.map((r) => r.code as string))].sort();
      return {
        labels: periods,
        datasets: codes.map((code) => ({ label: code, data: periods.map((p) => rows.find((r) => r.period === p && r.code === code)?.count ?? 0) })),
      };
    }
    case 'top-codes':
      return { labels: rows.map((r) => r.code), datasets: [{ label: 'exceptions', data: rows.map((r) => r.count) }] };
    case 'stall-rates':
      return { labels: rows.map((r) => r.jobType), datasets: [{ label: 'stall rate (%)', data: rows.map((r) => pct(r.stallRate)) }] };
    case 'first-time-fix':
      return { labels: rows.map((r) => r.jobType), datasets: [{ label: 'first-time-fix (%)', data: rows.map((r) => pct(r.ratio)) }] };
    default:
      throw new Error(`no chart expected for ${id}`);
  }
}
