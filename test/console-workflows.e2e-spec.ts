/// <reference lib="dom" />
import { ARTIFACTS, NARROW, closeContexts, consolePage } from './support/console-page';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Browser, Page } from 'playwright-core';
import type { ActionAnswer, LiveWorkflowMap, OpenedAnswer, WorkflowMap, WorkflowSummary } from '@workgate/contracts';
import { eventually } from './support/processes';
import { client, clientsFor, writePrincipals } from './support/principals';
import { startTestWorkgate, TestWorkgate } from './support/workgate';
import { replyOf } from './support/replies';
import * as workflowMap from '../libs/contracts/schemas/map.schemas';

const SHIPPED = readdirSync(join(__dirname, '..', 'workflows'))
  .filter((f) => f.endsWith('.yaml'))
  .map((f) => f.replace(/\.yaml$/, ''))
  .sort();

/** Inputs that open a work order of each shipped workflow (its required inputs, written out here). */
const INPUTS: Record<string, Record<string, unknown>> = {
  'support-recovery': { caseId: 'C-1', orderId: '1001', orderPaid: true },
  'field-work-order': {
    assetId: 'P-7',
    siteId: 'S-1',
    permitNumber: 'PTW-9',
    partsReserved: true,
    accessGranted: true,
  },
  'agent-delegation': { objective: 'fix the flaky test', repository: 'git://example/repo' },
  'engagement-lifecycle': { client: 'ACME', sponsor: 'j.doe' },
  'agent-files': { task: 'rename the config key' },
  'incident-response': { incidentId: 'INC-1', service: 'checkout-api', severity: 'sev2' },
  'access-request': {
    requestId: 'AR-1',
    requestedFor: 'employee-7',
    resource: 'client-records-db',
    managerApproved: true,
    trainingComplete: true,
  },
};

const STEPS = ['inspect-case', 'validate-address', 'update-order', 'notify-warehouse', 'confirm-customer'];
const REFUND = { system: 'payments', operation: 'refund', kind: 'write', objects: ['order:1001'] };

/** The counts a node's badges show, (docs/views.md, The live workflow map): each count that is not zero, `count` as raised. */
const BADGE_COUNTS = [
  'open',
  'blocked',
  'stalled',
  'completed',
  'pending',
  'approved',
  'conditional',
  'rejected',
  'expired',
  'decisions',
  'overdue',
  'escalated',
  'count',
];
function expectedBadges(numbers: object | undefined): string[] {
  const n: Record<string, unknown> = { ...numbers };
  return BADGE_COUNTS.filter((k) => typeof n[k] === 'number' && Number(n[k]) > 0)
    .map((k) => `${String(n[k])} ${k === 'count' ? 'raised' : k === 'decisions' && n[k] === 1 ? 'decision' : k}`)
    .sort();
}

/**
 * The console's Workflows tab in a real Chromium against a running workgate with some work done:
 * for every shipped workflow each node of the API's map is reachable by its accessible name, the
 * badges show the API's live numbers, and the SVG and JSON downloads are the drawing and the answer.
 * Screenshots at 1920 px and 420 px go to test/artifacts/.
 */
describe('the Workflows tab in a real browser', () => {
  let t: TestWorkgate;
  let browser: Browser;
  let page: Page;
  const principals = writePrincipals({
    helpdesk: ['integrator'],
    agent: ['operator'],
    'support-lead': ['approver', 'operator'],
    lead: ['ops-lead', 'analyst'],
  });
  let as: Record<string, ReturnType<typeof client>>;
  const problems: string[] = [];

  const open = async (jobType: string, externalRef: string): Promise<string> => {
    const r = await as.helpdesk<OpenedAnswer>('POST', '/v1/work-orders', {
      jobType,
      externalRef,
      source: 'helpdesk',
      inputs: INPUTS[jobType],
    });
    expect(r.status).toBe(201);
    return r.body.id;
  };
  const post = async (path: string, body: unknown) => {
    const r = await as.agent<ActionAnswer>('POST', path, body);
    expect([200, 201]).toContain(r.status);
    return r.body;
  };
  const live = async (jobType: string) => (await as.lead<LiveWorkflowMap>('GET', `/v1/workflows/${jobType}/map`)).body;

  beforeAll(async () => {
    t = await startTestWorkgate({ env: { WORKGATE_PRINCIPALS: principals.path } });
    as = clientsFor(t.url, principals.keys);
    // Work on every workflow; on support recovery a blocked step, a refund waiting at its gate, a stopped write, a completed step.
    for (const jobType of SHIPPED) await open(jobType, `${jobType.toUpperCase()}-1`);
    // Support recovery: cases at different steps, two blocked, refunds waiting and approved, a stopped write.
    const cases: Array<[number, string?]> = [[1, 'ADDRESS_INVALID'], [3], [1, 'CUSTOMER_UNREACHABLE'], [4], [0]];
    const ids: string[] = [];
    for (const [i, [done, code]] of cases.entries()) {
      const id = await open('support-recovery', `CASE-${i + 2}`);
      ids.push(id);
      for (const step of STEPS.slice(0, done))
        await post(`/v1/work-orders/${id}/steps/${step}/complete`, {
          evidence: [{ kind: 'receipt', ref: `${step}-r` }],
        });
      if (code) await post(`/v1/work-orders/${id}/steps/${STEPS[done]}/block`, { code, rationale: 'as seeded' });
    }
    for (const id of ids.slice(1, 3)) {
      const refund = await post(`/v1/work-orders/${id}/actions`, { ...REFUND, facts: { amount: 40 } });
      expect(refund.decision).toBe('wait');
      if (id === ids[1]) {
        const decided = await as['support-lead']('POST', `/v1/approvals/${String(refund.approvalId)}/decision`, {
          decision: 'approve',
          permittedAction: REFUND,
        });
        expect(decided.status).toBe(200);
      }
    }
    const stopped = await post(`/v1/work-orders/${ids[4]}/actions`, {
      system: 'shop',
      operation: 'order.note',
      kind: 'write',
      facts: { orderFulfilled: true },
    });
    expect(stopped.decision).toBe('stop');
    const field = await open('field-work-order', 'FWO-2');
    await post(`/v1/work-orders/${field}/steps/lockout-tagout/block`, {
      code: 'PARTS_UNAVAILABLE',
      rationale: 'seal kit',
    });
    await eventually(
      async () => {
        const m = await live('support-recovery');
        return (
          JSON.stringify(m.numbers?.['validate-address'] ?? {}).includes('"blocked":2') &&
          JSON.stringify(m.numbers?.['refunds-and-credits-need-owner'] ?? {}).includes('"approved":1') &&
          JSON.stringify(m.numbers?.['no-address-change-after-fulfilment'] ?? {}).includes('"decisions":1')
        );
      },
      20_000,
      'the live map to count what was seeded',
    );

    ({ browser, page } = await browserPage.launch({ acceptDownloads: true }));
  }, 180_000);
  afterAll(async () => {
    await closeContexts(browser);
    await t?.close();
  });

  const browserPage = consolePage(() => t.url, principals.keys, problems);
  const { signIn, signedIn } = browserPage;
  const ready = (p: Page = page) => browserPage.ready(p);
  async function show(p: Page, jobType: string): Promise<void> {
    await p.evaluate((h) => (location.hash = h), `#/workflows/${jobType}`);
    await p.waitForFunction(
      (j) => document.querySelector('#workflows h3')?.textContent?.includes(` · ${j} v`),
      jobType,
    );
    await ready(p);
  }
  const downloaded = async (name: string): Promise<string> => {
    const [d] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name }).click()]);
    return readFileSync(await d.path(), 'utf8');
  };

  it('lists every shipped job type with its versions', async () => {
    await signIn(page, 'lead', '#/workflows');
    const list = (await as.lead<WorkflowSummary[]>('GET', '/v1/workflows')).body;
    expect(list.map((w) => w.jobType).sort()).toEqual(SHIPPED);
    for (const w of list) await page.getByRole('link', { name: w.jobType, exact: true }).waitFor();
    expect(problems).toEqual([]);
  });

  it.each(SHIPPED)(
    'draws %s: every node by its name, the live numbers as badges, SVG and JSON downloads',
    async (jobType) => {
      const answered = page.waitForResponse((r) => new URL(r.url()).pathname === `/v1/workflows/${jobType}/map`);
      await show(page, jobType);
      const pageAnswer: unknown = await (await answered).json();
      const summary = (await as.lead<WorkflowSummary[]>('GET', '/v1/workflows')).body.find(
        (w) => w.jobType === jobType,
      )!;
      const map = (await as.lead<WorkflowMap>('GET', `/v1/workflows/${jobType}/versions/${summary.currentVersion}/map`))
        .body;
      const liveMap = await live(jobType);

      for (const n of map.nodes) {
        const node = page.getByRole('button', { name: `${n.kind}: ${n.label}`, exact: true });
        expect(await node.count()).toBe(1);
        const badges = await node.locator('g.badge text').allTextContents();
        expect(badges.sort()).toEqual(expectedBadges(liveMap.numbers[n.id]));
      }
      expect(await page.locator('#workflows table tbody tr').count()).toBe(map.nodes.length);

      const json: LiveWorkflowMap = replyOf(workflowMap.LiveWorkflowMap, JSON.parse(await downloaded('Download JSON')));
      expect(json).toEqual(pageAnswer);
      expect({ ...json, window: { ...json.window, asOf: '' } }).toEqual({
        ...liveMap,
        window: { ...liveMap.window, asOf: '' },
      });
      const svg = await downloaded('Download SVG');
      const parsed = await page.evaluate((text) => {
        const doc = new DOMParser().parseFromString(text, 'image/svg+xml');
        return {
          error: doc.querySelector('parsererror')?.textContent ?? null,
          root: doc.documentElement.localName,
          nodes: doc.querySelectorAll('g.node').length,
        };
      }, svg);
      expect(parsed).toEqual({ error: null, root: 'svg', nodes: map.nodes.length });

      await page.screenshot({ path: join(ARTIFACTS, `console-workflow-${jobType}.png`), fullPage: true });
      await page.locator('.map-layout').screenshot({ path: join(ARTIFACTS, `console-workflow-${jobType}-map.png`) });
      expect(problems).toEqual([]);
    },
  );

  it('shows a node chosen from the keyboard beside the map', async () => {
    await show(page, 'support-recovery');
    const gate = page.getByRole('button', { name: 'gate: refunds-and-credits-need-owner', exact: true });
    await gate.focus();
    await page.keyboard.press('Enter');
    await page.locator('#map-node').getByRole('heading', { name: 'gate: refunds-and-credits-need-owner' }).waitFor();
    expect(await page.innerText('#map-node')).toContain('operator → support-lead');
  });

  it('draws the plain map, without badges, for someone the live map is refused to', async () => {
    const other = await signedIn(browser, 'support-lead', '#/workflows/support-recovery');
    await other.getByRole('button', { name: 'step: Update the order note', exact: true }).waitFor();
    expect(await other.locator('#map-figure g.badge').count()).toBe(0);
    expect(await other.textContent('#map-live-note')).toMatch(/^Without live numbers: /);
    await other.close();
    expect(problems).toEqual([]);
  });

  it.each([
    ['support-recovery', ''],
    ['incident-response', '-incident-response'],
    ['access-request', '-access-request'],
  ])('reads %s at 420 px as a table of every node, without scrolling the page sideways', async (jobType, suffix) => {
    const narrow = await signedIn(browser, 'lead', `#/workflows/${jobType}`, NARROW);
    const map = (await as.lead<WorkflowMap>('GET', `/v1/workflows/${jobType}/versions/1/map`)).body;
    for (const n of map.nodes)
      expect(await narrow.locator(`#node-row-${n.id.replace(/[^\w-]/g, '\\$&')}`).isVisible()).toBe(true);
    expect(await narrow.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(420);
    await narrow.screenshot({ path: join(ARTIFACTS, `console-workflows-420${suffix}-full.png`), fullPage: true });
    await narrow.getByRole('heading', { name: 'Where work stalls or fails' }).scrollIntoViewIfNeeded();
    await narrow.evaluate(() => document.querySelector('.map-aside')?.scrollIntoView());
    await narrow.screenshot({ path: join(ARTIFACTS, `console-workflows-420${suffix}.png`) });
    await narrow.close();
    expect(problems).toEqual([]);
  });
});
