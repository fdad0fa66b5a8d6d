/// <reference lib="dom" />
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import ELK from 'elkjs';
import { Browser, Page } from 'playwright-core';
import type { ExceptionCode, LiveWorkflowMap, NodeNumbers, WorkflowMap } from '@workgate/contracts';
import { fieldsOf, listOf } from '../../../../libs/workflow/definition/arrived';
import { SHIPPED, shippedWorkflow } from '../../../../libs/workflow/definition/test-fixtures';
import { workflowMap } from '@workgate/workflow';
import { PAGE_CSP } from '../../routes/static-page';
import { ARTIFACTS, NARROW, closeContexts, launchWatched, watcher } from '../../../../test/support/console-page';

const ORIGIN = 'http://127.0.0.1:9';
const ROOT = join(__dirname, '..', '..', '..', '..');
const ELK_BUNDLE = require.resolve('elkjs/lib/elk.bundled.js');

const catalogFile: unknown = parse(readFileSync(join(ROOT, 'config', 'exception-codes.yaml'), 'utf8'));
const CATALOG = new Map(
  listOf(fieldsOf(catalogFile).codes).map((c): [string, ExceptionCode] => {
    const f = fieldsOf(c);
    return [
      String(f.code),
      { code: String(f.code), title: String(f.title), owner: String(f.owner), sla: String(f.sla) },
    ];
  }),
);
const maps: WorkflowMap[] = SHIPPED.map((j) => workflowMap(shippedWorkflow(j), 'ab'.repeat(32), CATALOG));

/** Numbers written out for the test, by node kind: a few counts that are not zero, the rest zero. */
function numbersFor(map: WorkflowMap): Record<string, NodeNumbers> {
  const out: Record<string, NodeNumbers> = {};
  map.nodes.forEach((n, i) => {
    if (n.kind === 'step')
      out[n.id] = {
        open: 2 + i,
        completed: 1,
        blocked: i % 2,
        stalled: 0,
        p50Seconds: 3600,
        p95Seconds: 7200,
        exceptions: [],
      };
    if (n.kind === 'gate')
      out[n.id] = { pending: 1, approved: 3, conditional: 0, rejected: 1, expired: 0, p50WaitSeconds: 600 };
    if (n.kind === 'stop' || n.kind === 'run') out[n.id] = { decisions: 4 };
    if (n.kind === 'exception') out[n.id] = { open: 1, overdue: 1, escalated: 0, count: 2 };
  });
  return out;
}
/** Support recovery declares two known failures; its live map ranks one failure point with the note beside it. */
const KNOWN = [
  { at: 'validate-address', note: 'addresses typed by hand fail the zone check' },
  { at: 'payments', note: 'refunds run twice when the PSP times out' },
];
for (const m of maps) if (m.jobType === 'support-recovery') m.knownFailures = KNOWN;
const liveOf = (map: WorkflowMap): LiveWorkflowMap => ({
  ...map,
  window: { from: null, to: null, asOf: '2026-11-26T12:00:00.000Z' },
  numbers: numbersFor(map),
  failurePoints:
    map.jobType === 'support-recovery'
      ? [
          {
            at: 'validate-address',
            measure: 'blocked',
            value: 1,
            counts: { blocked: 1, stalled: 3 },
            message: 'Blocked most',
            known: [KNOWN[0].note],
          },
        ]
      : [],
});

/**
 * The console's workflows page in headless Chromium over a fake API (the page's own files, the
 * real CSP, maps made by the map builder from the shipped workflows): every node drawn, reachable by
 * its accessible name, laid out left to right in step order without overlap, live counts as badges.
 */
describe('the workflow map in the console', () => {
  let browser: Browser;
  let page: Page;
  const problems: string[] = [];

  beforeAll(async () => {
    ({ browser, page } = await launchWatched(watcher(problems)));
    await page.route('**/*', async (route) => {
      const path = new URL(route.request().url()).pathname;
      const file = (p: string, type: string) =>
        route.fulfill({ contentType: type, headers: { 'Content-Security-Policy': PAGE_CSP }, body: readFileSync(p) });
      if (path === '/console') return file(join(__dirname, 'index.html'), 'text/html');
      if (path === '/console/elk.bundled.js') return file(ELK_BUNDLE, 'text/javascript');
      if (path === '/console/masking.js') return route.fulfill({ contentType: 'text/javascript', body: '' });
      // No OpenID Connect sign-in here, as on a server without a provider.
      if (path === '/console/session') return route.fulfill({ json: { issuer: null, signedIn: false } });
      const local = path.match(/^\/(console|shared)\/([\w.-]+)$/);
      if (local)
        return file(
          join(__dirname, '..', local[1], local[2]),
          local[2].endsWith('.css') ? 'text/css' : 'text/javascript',
        );
      if (path === '/v1/me') return route.fulfill({ json: { id: 'lead', roles: ['analyst'] } });
      if (path === '/v1/workflows')
        return route.fulfill({
          json: maps.map((m) => ({
            ...m,
            currentVersion: m.version,
            versions: [{ version: m.version, sha256: m.sha256, publishedAt: '2026-11-01T00:00:00Z' }],
          })),
        });
      const m = path.match(/^\/v1\/workflows\/([\w-]+)\/(?:versions\/\d+\/)?map$/);
      const map = m && maps.find((x) => x.jobType === m[1]);
      if (map) return route.fulfill({ json: path.includes('versions') ? map : liveOf(map) });
      return route.fulfill({ status: 404, json: { error: 'not_found', message: `no answer for ${path}` } });
    });
  }, 30_000);
  afterAll(() => closeContexts(browser));

  it('loads elkjs in Node and lays out a graph left to right', async () => {
    const laid = await new ELK().layout({
      id: 'root',
      layoutOptions: { 'elk.algorithm': 'layered', 'elk.direction': 'RIGHT' },
      children: [
        { id: 'a', width: 40, height: 20 },
        { id: 'b', width: 40, height: 20 },
      ],
      edges: [{ id: 'e', sources: ['a'], targets: ['b'] }],
    });
    const [a, b] = laid.children ?? [];
    expect(b.x).toBeGreaterThan((a.x ?? 0) + 40);
  });

  it.each(SHIPPED)(
    'draws %s: every node by its name, steps left to right, no overlap, live counts as badges',
    async (jobType) => {
      const map = maps.find((m) => m.jobType === jobType)!;
      await page.goto(`${ORIGIN}/console#/workflows/${jobType}`);
      await page.evaluate(() => sessionStorage.setItem('workgate.apiKey', 'wg_test'));
      await page.reload();
      await page.waitForSelector('#map-figure svg g.node');
      for (const n of map.nodes)
        await expect(page.getByRole('button', { name: `${n.kind}: ${n.label}`, exact: true }).count()).resolves.toBe(1);

      const boxes = await page.$$eval('#map-figure g.node', (gs) =>
        gs.map((g) => {
          const r = g.querySelector('rect:not(.focus-ring)')!.getBoundingClientRect();
          const badges = Array.from(g.querySelectorAll('g.badge text'), (t) => t.textContent);
          return { id: g.getAttribute('data-id') ?? '', x: r.x, y: r.y, w: r.width, h: r.height, badges };
        }),
      );
      for (const a of boxes)
        for (const b of boxes)
          if (a !== b) expect(a.x + a.w <= b.x || b.x + b.w <= a.x || a.y + a.h <= b.y || b.y + b.h <= a.y).toBe(true);
      const at = new Map(boxes.map((b) => [b.id, b]));
      // In step (and stage) order: each to the right of the one before, or on a row below it when a long chain wraps.
      const order = map.nodes.filter((n) => n.kind === 'step' || n.kind === 'stage').map((n) => at.get(n.id)!);
      for (let i = 1; i < order.length; i++)
        expect(order[i].x > order[i - 1].x || order[i].y >= order[i - 1].y + order[i - 1].h).toBe(true);

      const live = numbersFor(map);
      for (const n of map.nodes) {
        const expected = Object.entries(live[n.id] ?? {})
          .filter(([k, v]) => typeof v === 'number' && v > 0 && !k.endsWith('Seconds'))
          .map(([k, v]) => `${v} ${k === 'count' ? 'raised' : k === 'decisions' && v === 1 ? 'decision' : k}`);
        expect(at.get(n.id)!.badges.sort()).toEqual(expected.sort());
      }
      if (jobType === 'support-recovery') {
        const aside = page.getByRole('complementary', { name: 'Failure points and the selected node' });
        expect(await aside.innerText()).toMatch(
          /Where work stalls or fails\s+#1\s*Validate address format and service zone\s*blocked 1\s*stalled 3\s+Blocked most\s+Known: addresses typed by hand fail the zone check\s+Declared, not seen in this window\s+payments\s+refunds run twice when the PSP times out/,
        );
        await aside.getByRole('button', { name: 'payments' }).click();
        expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe('system: payments');
        expect(await page.innerText('#map-node')).toContain('governs refunds-and-credits-need-owner');
      }
      if (jobType === 'support-recovery') {
        // The rank is a tag reading `#1 blocked`, not a bare number a step's order could be read into.
        const tag = page.locator('#map-figure g.node[data-id="validate-address"] g.rank');
        expect(await tag.locator('text').textContent()).toBe('#1 blocked');
        expect(await tag.locator('title').textContent()).toBe('Failure point 1 of 1: Blocked most');
      }
      await page.screenshot({ path: join(ARTIFACTS, `workflow-map-${jobType}.png`), fullPage: true });
      await page.locator('#map-figure').screenshot({ path: join(ARTIFACTS, `workflow-map-${jobType}-drawing.png`) });
      expect(problems).toEqual([]);
    },
    30_000,
  );

  /** The drawing's box and its container's, in CSS pixels. */
  const boxes = (p: Page) =>
    p.evaluate(() => {
      const box = (e: Element | null) => {
        const r = e!.getBoundingClientRect();
        return { left: r.left, right: r.right, top: r.top, bottom: r.bottom, width: r.width };
      };
      return {
        svg: box(document.querySelector('#map-figure svg')),
        figure: box(document.querySelector('#map-figure')),
      };
    });
  /** The nodes' boxes on screen, by id. */
  const nodeBoxes = (p: Page) =>
    p.$$eval('#map-figure g.node', (gs): Record<string, { x: number; y: number; width: number }> =>
      Object.fromEntries(
        gs.map((g) => {
          const r = g.querySelector('rect:not(.focus-ring)')!.getBoundingClientRect();
          return [g.getAttribute('data-id'), { x: r.x, y: r.y, width: r.width }];
        }),
      ),
    );

  it.each([
    ['1600', { width: 1600, height: 1000 }],
    ['420', NARROW],
  ])(
    'fits the widest drawing into its box at %s px, every node inside it, and zooms and pans by buttons, keys, wheel and drag',
    async (_, viewport) => {
      // Support recovery's drawing is the widest (about 1,800 px at its natural size).
      const widest = maps.find((m) => m.jobType === 'support-recovery')!;
      await page.setViewportSize(viewport);
      await page.goto(`${ORIGIN}/console#/workflows/${widest.jobType}`);
      await page.evaluate(() => sessionStorage.setItem('workgate.apiKey', 'wg_test'));
      await page.reload();
      await page.waitForSelector('#map-figure svg g.node');
      const fitted = await boxes(page);
      expect(fitted.svg.left).toBeGreaterThanOrEqual(fitted.figure.left);
      expect(fitted.svg.right).toBeLessThanOrEqual(fitted.figure.right);
      expect(fitted.svg.bottom).toBeLessThanOrEqual(fitted.figure.bottom);
      for (const n of Object.values(await nodeBoxes(page))) {
        expect(n.x).toBeGreaterThanOrEqual(fitted.figure.left);
        expect(n.x + n.width).toBeLessThanOrEqual(fitted.figure.right);
      }
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(viewport.width);

      const width = async (id: string) => (await nodeBoxes(page))[id].width;
      const first = widest.nodes.find((n) => n.kind === 'step')!.id;
      const atFit = await width(first);
      const zoomIn = page.getByRole('button', { name: 'Zoom in', exact: true });
      const zoomOut = page.getByRole('button', { name: 'Zoom out', exact: true });
      const fit = page.getByRole('button', { name: 'Fit the map to its box', exact: true });
      expect(await zoomOut.isDisabled()).toBe(true);
      await zoomIn.click();
      await zoomIn.click();
      expect(await width(first)).toBeCloseTo(atFit * 1.25 * 1.25, 0);
      await zoomOut.click();
      expect(await width(first)).toBeCloseTo(atFit * 1.25, 0);
      await fit.click();
      expect(await width(first)).toBeCloseTo(atFit, 0);

      // The keyboard, on the figure or a node in it: + and - zoom, arrows pan, 0 fits.
      await page
        .getByRole('button', { name: `step: ${widest.nodes.find((n) => n.id === first)!.label}`, exact: true })
        .focus();
      await page.keyboard.press('+');
      await page.keyboard.press('+');
      expect(await width(first)).toBeCloseTo(atFit * 1.25 * 1.25, 0);
      const before = (await nodeBoxes(page))[first].x;
      await page.keyboard.press('ArrowRight');
      expect((await nodeBoxes(page))[first].x).toBeLessThan(before - 20);
      await page.keyboard.press('ArrowLeft');
      expect((await nodeBoxes(page))[first].x).toBeCloseTo(before, 0);
      await page.keyboard.press('-');
      expect(await width(first)).toBeCloseTo(atFit * 1.25, 0);
      await page.keyboard.press('0');
      expect(await width(first)).toBeCloseTo(atFit, 0);

      // Ctrl + wheel zooms at the pointer; a drag pans once zoomed in.
      const f = (await boxes(page)).svg;
      const middle = { x: (f.left + f.right) / 2, y: (f.top + f.bottom) / 2 };
      await page.mouse.move(middle.x, middle.y);
      await page.keyboard.down('Control');
      await page.mouse.wheel(0, -300);
      await page.keyboard.up('Control');
      await page.waitForFunction((w) => {
        const g = document.querySelector('#map-figure g.node rect:not(.focus-ring)');
        return g !== null && g.getBoundingClientRect().width > w * 1.5;
      }, atFit);
      const dragFrom = (await nodeBoxes(page))[first].x;
      await page.mouse.move(middle.x, middle.y);
      await page.mouse.down();
      await page.mouse.move(middle.x - 60, middle.y, { steps: 4 });
      await page.mouse.up();
      expect((await nodeBoxes(page))[first].x).toBeCloseTo(dragFrom - 60, -1);
      await fit.click();
      await page.screenshot({ path: join(ARTIFACTS, `workflow-map-fit-${viewport.width}.png`), fullPage: true });
      expect(problems).toEqual([]);
    },
    30_000,
  );
});
