/// <reference lib="dom" />
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { Browser, Page } from 'playwright-core';
import { eventOf, LiveWorkflowMap, OpenedAnswer } from '@workgate/contracts';
import { seedDemo } from '../cli/demo';
import { fieldsOf, listOf } from '../libs/workflow/definition/arrived';
import { ARTIFACTS, NARROW, closeContexts, consolePage } from './support/console-page';
import { ledgerEvents, tally, WindowCounts } from './support/ledger-tally';
import { clientsFor, writePrincipals } from './support/principals';
import { viewsCaughtUp } from './support/views-caught-up';
import { replyOf } from './support/replies';
import * as workflowMap from '../libs/contracts/schemas/map.schemas';
import { startTestWorkgate, TestWorkgate } from './support/workgate';

const JOB = 'support-recovery';
/** The workflow as shipped, read here: its steps (id → title, in order) and the exception codes it lists. */
const definition = fieldsOf(parse(readFileSync(join(__dirname, '..', 'workflows', `${JOB}.yaml`), 'utf8')));
const STEPS = listOf(definition.steps)
  .map((s) => fieldsOf(s))
  .map((s) => [String(s.id), String(s.title)] as const);
const TITLE = new Map(STEPS);
const CODES = listOf(definition.exceptionCodes).map(String);

/** What one entry of "Where work stalls or fails" reads: the node's label and its counts. */
interface Entry {
  label: string;
  counts: Record<string, number>;
  message: string;
}

/**
 * The live map of support recovery in a real Chromium over a running workgate, ten demo days and
 * cases this test sends itself: the drawing fits its box at 1600 and 420 px with every node in view
 * and zooms from the keyboard; "Where work stalls or fails" has one entry per step with its blocks
 * and stalls together, as the ledger's events count them; an exception code is drawn from the
 * steps that raised it (the StepBlocked events' step), each edge with its count.
 */
describe('the live map fits its box and counts failures where they happened', () => {
  let t: TestWorkgate;
  let browser: Browser;
  let page: Page;
  const problems: string[] = [];
  const principals = writePrincipals({ helpdesk: ['integrator'], agent: ['operator'], lead: ['ops-lead', 'analyst'] });
  const browserPage = consolePage(() => t.url, principals.keys, problems);
  /** The work orders this test opens and where it blocks them: [steps completed first, step blocked, code]. */
  const SENT: Array<[number, string, string]> = [
    [1, 'validate-address', 'ADDRESS_INVALID'],
    [2, 'update-order', 'PAYMENT_MISMATCH'],
  ];
  const sent = new Map<string, { stepId: string; code: string }>();
  let counts: WindowCounts;
  let live: LiveWorkflowMap;

  beforeAll(async () => {
    t = await startTestWorkgate({ env: { WORKGATE_PRINCIPALS: principals.path } });
    const as = clientsFor(t.url, principals.keys);
    await seedDemo(t.nc, { days: 10, perDay: 4, seed: 5, now: Date.now() });
    for (const [i, [done, stepId, code]] of SENT.entries()) {
      const opened = await as.helpdesk<OpenedAnswer>('POST', '/v1/work-orders', {
        jobType: JOB,
        externalRef: `FIT-${i}`,
        source: 'helpdesk',
        inputs: { caseId: `FIT-${i}`, orderId: `90${i}`, orderPaid: true },
      });
      expect(opened.status).toBe(201);
      for (const [step] of STEPS.slice(0, done))
        expect([200, 201]).toContain(
          (await as.agent('POST', `/v1/work-orders/${opened.body.id}/steps/${step}/complete`, { evidence: [] })).status,
        );
      const block = await as.agent('POST', `/v1/work-orders/${opened.body.id}/steps/${stepId}/block`, {
        code,
        rationale: 'sent by the map test',
      });
      expect([200, 201]).toContain(block.status);
      sent.set(opened.body.id, { stepId, code });
    }
    await viewsCaughtUp(t);
    ({ browser, page } = await browserPage.launch());
    const answered = page.waitForResponse((r) => new URL(r.url()).pathname === `/v1/workflows/${JOB}/map`);
    await browserPage.signIn(page, 'lead', `#/workflows/${JOB}`);
    live = replyOf(workflowMap.LiveWorkflowMap, await (await answered).json());
    await page.waitForSelector('#map-figure svg g.node');
    // Every work order opened by the map's asOf (its window is every time), counted from the ledger's own events.
    const every = { from: new Date(0).toISOString(), to: new Date(8.64e15).toISOString(), asOf: live.window.asOf };
    counts = new WindowCounts(tally(await ledgerEvents(t)), JOB, every);
  }, 240_000);
  afterAll(async () => {
    await closeContexts(browser);
    await t?.close();
  });

  /** The boxes of the figure, the drawing and every node (by id and kind), in CSS pixels. */
  const boxes = (p: Page) =>
    p.evaluate(() => {
      const rect = (e: Element) => {
        const r = e.getBoundingClientRect();
        return { left: r.left, right: r.right, top: r.top, bottom: r.bottom, width: r.width };
      };
      return {
        figure: rect(document.querySelector('#map-figure')!),
        svg: rect(document.querySelector('#map-figure svg')!),
        zoom: Number(document.querySelector<SVGSVGElement>('#map-figure svg')!.dataset.zoom),
        nodes: Array.from(document.querySelectorAll<SVGGElement>('#map-figure g.node'), (g) => ({
          id: g.dataset.id ?? '',
          kind: g.classList[1],
          ...rect(g.querySelector('rect:not(.focus-ring)')!),
        })),
      };
    });

  /** Whether the node `id` is what a person sees at its own centre (nothing covers or clips it). */
  const seen = (p: Page, id: string) =>
    p.evaluate((nodeId) => {
      const g = document.querySelector(`#map-figure g.node[data-id="${CSS.escape(nodeId)}"]`)!;
      g.scrollIntoView({ block: 'center', inline: 'center' });
      const r = g.querySelector('rect:not(.focus-ring)')!.getBoundingClientRect();
      const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
      return hit?.closest('g.node')?.getAttribute('data-id') === nodeId;
    }, id);

  it.each([
    ['1600', { width: 1600, height: 1000 }],
    ['420', NARROW],
  ])('fits the drawing into its box at %s px, every node in view, and zooms from the keyboard', async (_, size) => {
    await page.setViewportSize(size);
    await page.reload();
    await browserPage.ready(page);
    await page.waitForSelector('#map-figure svg g.node');
    const fit = await boxes(page);
    expect(fit.zoom).toBe(1);
    for (const [a, b] of [
      [fit.svg.left, fit.figure.left],
      [fit.figure.right, fit.svg.right],
      [fit.svg.top, fit.figure.top],
      [fit.figure.bottom, fit.svg.bottom],
    ])
      expect(a).toBeGreaterThanOrEqual(b - 0.5);
    expect(fit.figure.right).toBeLessThanOrEqual(size.width);
    // Every node in the figure's box, the closure, the exception codes and break-glass among them.
    for (const kind of ['closure', 'exception', 'break-glass', 'step'])
      expect({ kind, drawn: fit.nodes.some((n) => n.kind === kind) }).toEqual({ kind, drawn: true });
    expect(fit.nodes.map((n) => n.id).sort()).toEqual(live.nodes.map((n) => n.id).sort());
    for (const n of fit.nodes) {
      const inside =
        n.left >= fit.figure.left - 0.5 &&
        n.right <= fit.figure.right + 0.5 &&
        n.top >= fit.figure.top - 0.5 &&
        n.bottom <= fit.figure.bottom + 0.5;
      expect({ id: n.id, inside, seen: await seen(page, n.id) }).toEqual({ id: n.id, inside: true, seen: true });
    }
    await page.screenshot({ path: join(ARTIFACTS, `map-fit-${size.width}.png`), fullPage: true });

    // The keyboard on the figure: + zooms in, - out, 0 fits again; the nodes grow and shrink with it.
    const step = (b: Awaited<ReturnType<typeof boxes>>) => b.nodes.find((n) => n.id === STEPS[0][0])!.width;
    await page.locator('#map-figure').focus();
    await page.keyboard.press('+');
    const zoomedIn = await boxes(page);
    expect(zoomedIn.zoom).toBe(1.25);
    expect(step(zoomedIn)).toBeCloseTo(step(fit) * 1.25, 0);
    await page.keyboard.press('-');
    expect(step(await boxes(page))).toBeCloseTo(step(fit), 0);
    await page.keyboard.press('+');
    await page.keyboard.press('+');
    expect((await boxes(page)).zoom).toBeCloseTo(1.5625, 4);
    await page.keyboard.press('0');
    const refit = await boxes(page);
    expect([refit.zoom, step(refit)]).toEqual([1, step(fit)]);
    expect(problems).toEqual([]);
  });

  /** The entries of "Where work stalls or fails", as the page shows them. */
  const entries = (p: Page): Promise<Entry[]> =>
    p.$$eval('ol.failure-points.ranked > li', (lis) =>
      lis.map((li) => ({
        label: li.querySelector('button')?.textContent ?? '',
        counts: Object.fromEntries(
          Array.from(li.querySelectorAll('.badge'), (b) => {
            const [m, n] = (b.textContent ?? '').split(' ');
            return [m, Number(n)];
          }),
        ),
        message: li.querySelector('p')?.textContent ?? '',
      })),
    );

  it("lists each step once, its blocks and stalls together, as the ledger's events count them", async () => {
    await page.setViewportSize({ width: 1920, height: 1080 });
    await page.reload();
    await page.waitForSelector('#map-figure svg g.node');
    const listed = await entries(page);
    // One entry per node: no label twice.
    expect(listed.map((e) => e.label).length).toBe(new Set(listed.map((e) => e.label)).size);
    const expected = STEPS.flatMap(([id, title]) => {
      const s = counts.step(id);
      const c: Record<string, number> = {};
      if (s.blocked) c.blocked = s.blocked;
      if (s.stalled) c.stalled = s.stalled;
      return Object.keys(c).length ? [{ label: title, counts: c }] : [];
    });
    const steps = listed
      .filter((e) => [...TITLE.values()].includes(e.label))
      .map(({ label, counts: c }) => ({ label, counts: c }));
    expect(steps.sort((a, b) => a.label.localeCompare(b.label))).toEqual(
      expected.sort((a, b) => a.label.localeCompare(b.label)),
    );
    // Not a comparison of nothing: a step both blocked and stalled, one entry with both counts.
    expect(expected.some((e) => e.counts.blocked && e.counts.stalled)).toBe(true);
    await page.screenshot({ path: join(ARTIFACTS, 'map-fit-1920.png'), fullPage: true });
    expect(problems).toEqual([]);
  });

  it('counts an exception against the step that raised it: its line comes from that step alone, with the count', async () => {
    // The ledger recorded each block this test sent at the step it was sent for.
    const recorded = (await ledgerEvents(t)).flatMap((e) => {
      const d = eventOf(e, 'workorder', 'StepBlocked')?.data;
      return d && sent.has(d.workOrderId) ? [[d.workOrderId, { stepId: d.stepId, code: d.code }] as const] : [];
    });
    expect(new Map(recorded)).toEqual(sent);
    const lines = await page.$$eval('#map-figure g.edge', (gs) =>
      gs.map((g) => ({
        from: g.getAttribute('data-from') ?? '',
        to: g.getAttribute('data-to') ?? '',
        text: g.textContent ?? '',
      })),
    );
    for (const code of CODES.filter((c) => c !== 'PREREQ_MISSING')) {
      // code → step → blocks, from the ledger's StepBlocked events of the work orders on the map.
      const raised = STEPS.flatMap(([id]) => {
        const n = counts.step(id).codes.get(code) ?? 0;
        return n ? [[id, n] as const] : [];
      });
      const into = lines.filter((l) => l.to === code && l.from.split(' ').some((f) => TITLE.has(f)));
      if (!raised.length) {
        // Raised at no step: the definition's line, from every step (one line from the steps' box).
        expect({ code, from: into.flatMap((l) => l.from.split(' ')).sort() }).toEqual({
          code,
          from: STEPS.map(([id]) => id).sort(),
        });
        continue;
      }
      const drawn = into.map((l) => [l.from, Number(/raised (\d+)/.exec(l.text)?.[1])] as const);
      expect({ code, drawn: drawn.sort() }).toEqual({ code, drawn: [...raised].sort() });
      const title = await page.locator(`#map-figure g.node[data-id="${code}"] > title`).textContent();
      expect(title).toContain(
        `raised at ${[...raised]
          .sort(([a, x], [b, y]) => y - x || a.localeCompare(b))
          .map(([s, n]) => `${s} ${n}`)
          .join(', ')}`,
      );
    }
    // What this test sent is among them: ADDRESS_INVALID from Validate address, never from Inspect case.
    const address = lines.filter((l) => l.to === 'ADDRESS_INVALID').map((l) => l.from);
    expect(address).toContain('validate-address');
    expect(address.join(' ')).not.toContain('inspect-case');
    expect(lines.some((l) => l.from === 'update-order' && l.to === 'PAYMENT_MISMATCH')).toBe(true);
    await page.locator('#map-figure').screenshot({ path: join(ARTIFACTS, 'map-fit-drawing.png') });
    expect(problems).toEqual([]);
  });

  it('leaves the map at 1920 and 420 px in docs/images', async () => {
    const images = join(__dirname, '..', 'docs', 'images');
    mkdirSync(images, { recursive: true });
    await page.setViewportSize({ width: 1920, height: 1080 });
    await page.reload();
    await page.waitForSelector('#map-figure svg g.node');
    await page.screenshot({ path: join(images, 'console-workflow-support-recovery.png'), fullPage: true });
    await page.setViewportSize(NARROW);
    await page.reload();
    await page.waitForSelector('#map-figure svg g.node');
    // The fitted drawing with the failure points after it, as a narrow screen reads them.
    await page.evaluate(() => document.querySelector('.map-pane')?.scrollIntoView());
    await page.screenshot({ path: join(images, 'console-workflows-420.png') });
    copyFileSync(join(images, 'console-workflows-420.png'), join(ARTIFACTS, 'map-fit-420-docs.png'));
    expect(problems).toEqual([]);
  });
});
