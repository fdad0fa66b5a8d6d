/// <reference lib="dom" />
import { join } from 'node:path';
import { Browser, Page } from 'playwright-core';
import type { ApprovalView, BreakGlassAnswer, WorkflowDefinition, WorkflowVersion } from '@workgate/contracts';
import { ARTIFACTS, closeContexts, consolePage } from './support/console-page';
import { client, clientsFor, openNotedCase, writePrincipals } from './support/principals';
import { startTestWorkgate, TestWorkgate } from './support/workgate';

/** Break-glasses the test uses: each raises a PAYMENT_MISMATCH (owned by finance-lead) and owes support-lead a post-review. */
const GLASSES = 7;
/** The page size the console is asked for in its address (`limit=`): three pages of 3, 3 and 1. */
const PAGE = 3;

/** A workflow desk-lead owns: a change that lets it write waits for desk-lead's approval. */
const DESK: WorkflowDefinition = {
  jobType: 'list-desk',
  version: 1,
  title: 'List desk',
  owner: 'desk-lead',
  systems: [{ name: 'shop', read: true, write: [] }],
  steps: [{ id: 'note-the-order', title: 'Note the order', evidence: ['note'] }],
};

/**
 * The console's exceptions and post-reviews lists a page at a time (docs/api.md, Conventions
 * (pages)): each page shows the next rows the test created, none twice, none missing, and a
 * resolved exception or completed post-review changes its card in place; the designer withdraws
 * a proposal its user made earlier.
 */
describe('the console lists, a page at a time, in a real browser', () => {
  let t: TestWorkgate;
  let browser: Browser;
  const principals = writePrincipals({
    helpdesk: ['integrator'],
    agent: ['operator'],
    'support-lead': ['approver'],
    'finance-lead': ['operator'],
    'desk-lead': ['approver'],
    designer: ['admin', 'analyst'],
  });
  let as: Record<string, ReturnType<typeof client>>;
  const problems: string[] = [];
  /** The ids the test created, in the order it created them. */
  const exceptions: string[] = [];
  const postReviews: string[] = [];

  beforeAll(async () => {
    t = await startTestWorkgate({ env: { WORKGATE_PRINCIPALS: principals.path } });
    as = clientsFor(t.url, principals.keys);
    for (let i = 0; i < GLASSES; i++) {
      const { id } = await openNotedCase(as.helpdesk, as.agent, `CASE-LIST-${i}`);
      const glass = await as.agent<BreakGlassAnswer>('POST', `/v1/work-orders/${id}/break-glass`, {
        code: 'PAYMENT_MISMATCH',
        rationale: `charged twice, case ${i}`,
        action: { system: 'payments', operation: 'refund', kind: 'write' },
      });
      expect(glass.status).toBe(201);
      exceptions.push(glass.body.exception.exceptionId);
      postReviews.push(glass.body.postReview.id);
    }
    ({ browser } = await launch());
  }, 180_000);
  afterAll(async () => {
    await closeContexts(browser);
    await t?.close();
  });

  const { launch, signedIn } = consolePage(() => t.url, principals.keys, problems);

  /** The /v1 requests `p` sends from now on, in order. */
  function requestsOf(p: Page): string[] {
    const seen: string[] = [];
    p.on('request', (r) => {
      const url = new URL(r.url());
      if (url.pathname.startsWith('/v1/')) seen.push(`${r.method()} ${url.pathname}${url.search}`);
    });
    return seen;
  }

  /**
   * Reads the list at `selector` page by page with "Load more": each page must show exactly the
   * next `PAGE` of `created` (as sets: rows of one due time may come in either order), none twice.
   */
  async function pages(p: Page, selector: string, attribute: string, created: string[]): Promise<void> {
    const ids = () =>
      p.$$eval(`${selector} [${attribute}]`, (els, a) => els.map((e) => e.getAttribute(a) ?? ''), attribute);
    for (let from = 0; from < created.length; from += PAGE) {
      if (from > 0) {
        await p.locator(selector).getByRole('button', { name: 'Load more' }).click();
        await p.waitForFunction(([s, a, n]) => document.querySelectorAll(`${s} [${a}]`).length === n, [
          selector,
          attribute,
          Math.min(from + PAGE, created.length),
        ] as const);
      }
      const shown = await ids();
      expect(new Set(shown).size).toBe(shown.length);
      expect(new Set(shown.slice(from))).toEqual(new Set(created.slice(from, from + PAGE)));
    }
    expect((await ids()).sort()).toEqual([...created].sort());
    expect(await p.locator(selector).getByRole('button', { name: 'Load more' }).isHidden()).toBe(true);
  }

  it('pages the post-reviews: one request a page, none per card; a completed card changes in place', async () => {
    const page = await signedIn(browser, 'support-lead', `#/post-reviews?limit=${PAGE}`);
    const seen = requestsOf(page);
    // Signed in already: the page is read again, as a person pressing Refresh does.
    await page.getByRole('button', { name: 'Refresh' }).first().click();
    await page.locator('#post-reviews-list [data-post-review]').first().waitFor();
    await pages(page, '#post-reviews-list', 'data-post-review', postReviews);
    expect(seen.filter((r) => /^GET \/v1\/(work-orders|exceptions)\//.test(r))).toEqual([]);
    expect(seen.filter((r) => r.startsWith('GET /v1/post-reviews'))).toEqual([
      expect.stringMatching(/^GET \/v1\/post-reviews\?owner=support-lead&limit=3$/),
      expect.stringMatching(/^GET \/v1\/post-reviews\?.*after=/),
      expect.stringMatching(/^GET \/v1\/post-reviews\?.*after=/),
    ]);
    const card = page.locator(`[data-post-review="${postReviews[0]}"]`);
    expect(await card.innerText()).toContain('PAYMENT_MISMATCH (open)');
    expect(await card.innerText()).toContain('CASE-LIST-0');
    await page.screenshot({ path: join(ARTIFACTS, 'console-post-reviews-paged.png'), fullPage: true });

    const before = seen.length;
    await card.getByLabel('Outcome').fill('Justified: the customer was charged twice.');
    await card.getByLabel('Remediation', { exact: true }).fill('Alert on a second charge');
    await card.getByRole('button', { name: 'Complete' }).click();
    await card.locator('.badge.completed').waitFor();
    expect(seen.slice(before)).toEqual([`POST /v1/post-reviews/${postReviews[0]}/complete`]);
    expect(await page.locator('#post-reviews-list [data-post-review]').count()).toBe(GLASSES);
    await page.close();
    expect(problems).toEqual([]);
  }, 60_000);

  it('pages the exceptions of one owner; a resolved card changes in place', async () => {
    const page = await signedIn(browser, 'finance-lead', `#/exceptions?owner=finance-lead&limit=${PAGE}`);
    const seen = requestsOf(page);
    await page.locator('#exceptions-list [data-exception]').first().waitFor();
    await pages(page, '#exceptions-list', 'data-exception', exceptions);
    expect(seen.filter((r) => r.startsWith('GET /v1/exceptions?') && r.includes('after='))).toHaveLength(2);
    await page.screenshot({ path: join(ARTIFACTS, 'console-exceptions-paged.png'), fullPage: true });

    const before = seen.length;
    const card = page.locator(`[data-exception="${exceptions[GLASSES - 1]}"]`);
    await card.getByLabel('Resolution').fill('Refunded the second charge.');
    await card.getByRole('button', { name: 'Resolve' }).click();
    await card.locator('.badge.resolved').waitFor();
    expect(seen.slice(before)).toEqual([`POST /v1/exceptions/${exceptions[GLASSES - 1]}/resolve`]);
    expect(await page.locator('#exceptions-list [data-exception]').count()).toBe(GLASSES);
    await page.close();
    expect(problems).toEqual([]);
  }, 60_000);

  it('withdraws from the designer a proposal its user made earlier; the version in force stays', async () => {
    expect((await as.designer('POST', '/v1/workflows', DESK)).status).toBe(201);
    const widening = { ...DESK, version: 2, systems: [{ name: 'shop', read: true, write: ['order.note'] }] };
    const saved = await as.designer<{ draftId: string }>('POST', '/v1/workflows/list-desk/drafts', widening);
    const proposed = await as.designer<{ changeId: string; approvalId: string }>(
      'POST',
      `/v1/workflows/list-desk/drafts/${saved.body.draftId}/propose`,
      {},
    );
    expect(proposed.status).toBe(202);

    const page = await signedIn(browser, 'designer', `#/workflows/list-desk?draft=${saved.body.draftId}`);
    const line = page.locator(`#draft-outcome [data-change="${proposed.body.changeId}"]`);
    await line.waitFor();
    expect(await line.innerText()).toContain("Your proposal v2 waits for desk-lead's approval");
    await line.getByRole('button', { name: 'Withdraw' }).click();
    await line.filter({ hasText: 'Withdrawn' }).waitFor();
    expect(await line.innerText()).toBe('Withdrawn: list-desk v2 will not be published. v1 stays the current version.');
    const approval = await as['desk-lead']<ApprovalView>('GET', `/v1/approvals/${proposed.body.approvalId}`);
    expect(approval.body.status).toBe('withdrawn');
    expect((await as.designer<WorkflowVersion>('GET', '/v1/workflows/list-desk')).body.version).toBe(1);
    await page.close();
    expect(problems).toEqual([]);
  }, 60_000);
});
