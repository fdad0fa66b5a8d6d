/// <reference lib="dom" />
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { Browser, Page } from 'playwright-core';
import { ARTIFACTS, NARROW, closeContexts, consolePage } from './support/console-page';
import { client, clientsFor, openNotedCase, writePrincipals } from './support/principals';
import { startTestWorkgate, TestWorkgate } from './support/workgate';
import type { ActionAnswer, ApprovalView } from '@workgate/contracts';

declare global {
  interface Window {
    /** What the test exposes to the page to mark the first card shown. */
    firstCard?: () => Promise<void>;
  }
}

/** More approvals than one page of the console holds (50): the second page is read with "Load more". */
const WAITING = 56;

/**
 * The approvals page answers at once (docs/approvers.md, Approvals): the first card shows after at
 * most three API requests (who is signed in, then one page of the queue), a decided card changes
 * in place without the list being read again, and "Load more" reads the next page.
 */
describe('the console approvals queue in a real browser', () => {
  let t: TestWorkgate;
  let browser: Browser;
  const principals = writePrincipals({
    helpdesk: ['integrator'],
    agent: ['operator'],
    'support-lead': ['approver', 'operator'],
  });
  let as: Record<string, ReturnType<typeof client>>;
  const problems: string[] = [];
  /** The approvals the test created, oldest first: the queue's order. */
  const created: string[] = [];

  beforeAll(async () => {
    t = await startTestWorkgate({ env: { WORKGATE_PRINCIPALS: principals.path } });
    as = clientsFor(t.url, principals.keys);
    const { id } = await openNotedCase(as.helpdesk, as.agent, 'CASE-QUEUE');
    for (let i = 0; i < WAITING; i++) {
      const r = await as.agent<ActionAnswer>('POST', `/v1/work-orders/${id}/actions`, {
        system: 'payments',
        operation: 'refund',
        kind: 'write',
        objects: [`order:${1000 + i}`],
        facts: { amount: 10 + i },
      });
      expect(r.body).toMatchObject({ decision: 'wait' });
      created.push(String(r.body.approvalId));
    }
    ({ browser } = await launch());
  }, 180_000);
  afterAll(async () => {
    await closeContexts(browser);
    await t?.close();
  });

  const { launch, signIn } = consolePage(() => t.url, principals.keys, problems);
  const cards = (p: Page) => p.locator('#approvals-list article');
  const shownIds = (p: Page) =>
    p.$$eval('#approvals-list article[data-approval]', (els) => els.map((e) => e.getAttribute('data-approval') ?? ''));
  /** Keeps a screenshot in test/artifacts and docs/images. */
  const shoot = async (p: Page, file: string) => {
    await p.screenshot({ path: join(ARTIFACTS, file) });
    copyFileSync(join(ARTIFACTS, file), join(__dirname, '..', 'docs', 'images', file));
  };

  /** The /v1 requests `p` sends from now on, in order. */
  function requestsOf(p: Page): string[] {
    const seen: string[] = [];
    p.on('request', (r) => {
      const path = new URL(r.url()).pathname;
      if (path.startsWith('/v1/')) seen.push(`${r.method()} ${path}${new URL(r.url()).search}`);
    });
    return seen;
  }

  it('shows the first card after at most three API requests, and one page of the queue', async () => {
    const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
    await page.goto(`${t.url}/console`);
    const seen = requestsOf(page);
    let atFirstCard = -1;
    await page.exposeFunction('firstCard', () => (atFirstCard = seen.length));
    await page.evaluate(() => {
      const seenCard = new MutationObserver(() => {
        if (document.querySelector('#approvals-list article')) {
          seenCard.disconnect();
          void window.firstCard?.();
        }
      });
      seenCard.observe(document.body, { childList: true, subtree: true });
    });
    await signIn(page, 'support-lead');
    await cards(page).first().waitFor();
    expect(atFirstCard).toBeGreaterThan(0);
    expect(seen.slice(0, atFirstCard).length).toBeLessThanOrEqual(3);
    expect(seen.filter((r) => /^GET \/v1\/approvals\//.test(r) || r.includes('/v1/work-orders/'))).toEqual([]);
    expect(await cards(page).count()).toBe(50);
    // The first page: the 50 oldest the test created, each once.
    expect(await shownIds(page)).toEqual(created.slice(0, 50));
    await shoot(page, 'console-queue-1920.png');

    // Approving changes that card in place: no list request, the other cards stay.
    const before = seen.length;
    const first = cards(page).first();
    await first.getByRole('button', { name: 'Approve', exact: true }).click();
    await first.locator('.badge.approved').waitFor();
    expect(await cards(page).count()).toBe(50);
    expect(seen.slice(before)).toEqual([expect.stringMatching(/^POST \/v1\/approvals\/[0-9a-f-]+\/decision$/)]);
    const id = await first.getAttribute('data-approval');
    const decided = await as['support-lead']<ApprovalView>('GET', `/v1/approvals/${id}`);
    expect(decided.body.status).toBe('approved');

    // The second page: one request, the rest of the queue.
    await page.getByRole('button', { name: 'Load more' }).click();
    await page.waitForFunction((n) => document.querySelectorAll('#approvals-list article').length === n, WAITING);
    expect(seen.filter((r) => r.startsWith('GET /v1/approvals?'))).toHaveLength(2);
    // The second page: the next ones, none twice, none missing.
    expect(await shownIds(page)).toEqual(created);
    expect(await page.getByRole('button', { name: 'Load more' }).isHidden()).toBe(true);
    await page.close();

    const narrow = await browser.newPage({ viewport: NARROW });
    await signIn(narrow, 'support-lead', '#/approvals');
    await cards(narrow).first().waitFor();
    await shoot(narrow, 'console-queue-420.png');
    await narrow.close();
    expect(problems).toEqual([]);
  }, 120_000);
});
