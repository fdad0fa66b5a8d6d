/// <reference lib="dom" />
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Browser, Locator, Page } from 'playwright-core';
import { ARTIFACTS, NARROW, closeContexts, consolePage } from './support/console-page';
import { eventually } from './support/processes';
import { client, clientsFor, writePrincipals } from './support/principals';
import { startTestWorkgate, TestWorkgate } from './support/workgate';
import type {
  ApprovalView,
  DecisionRecord,
  ExceptionView,
  PostReviewView,
  ProofPackage,
  RecordedEvent,
} from '@workgate/contracts';
import type { ErrorBody } from './support/answers';
import { CONSOLE_ROLES, download, proofIn, ROLLBACK_NOTE, seedConsole } from './support/console-seed';

/**
 * The console in a real headless Chromium: an approver signs in with a key, decides approvals
 * (plain and with conditions, then closes the conditions), completes an overdue post-review and
 * resolves an exception, each found by its accessible name; the API then shows each outcome, and
 * what the API refuses is shown as the API said it. Screenshots of every page go to test/artifacts/.
 */
describe('the console in a real browser', () => {
  let t: TestWorkgate;
  let browser: Browser;
  let page: Page;
  const principals = writePrincipals(CONSOLE_ROLES);
  let as: Record<string, ReturnType<typeof client>>;
  const problems: string[] = [];
  let ids: Awaited<ReturnType<typeof seedConsole>>['ids'];
  let refund: Record<string, unknown>;
  let credit: Record<string, unknown>;

  beforeAll(async () => {
    t = await startTestWorkgate({ env: { WORKGATE_PRINCIPALS: principals.path } });
    as = clientsFor(t.url, principals.keys);
    // Chromium starts while the work waits to be seen (the post-review falls overdue).
    const launching = launch();
    launching.catch(() => undefined);
    try {
      ({ ids, refund, credit } = await seedConsole(t, as));
    } finally {
      ({ browser, page } = await launching);
    }
  }, 180_000);
  afterAll(async () => {
    await closeContexts(browser);
    await t?.close();
  });

  // Script errors and anything the Content-Security-Policy refused; a 403 or 404 the page answers is not one.
  const { launch, signIn, signedIn } = consolePage(() => t.url, principals.keys, problems, /status of 40[34]/);

  const ready = (p: Page = page) => p.waitForSelector('body[data-state="ready"]', { timeout: 20_000 });
  const shot = (name: string, p: Page = page) =>
    p.screenshot({ path: join(ARTIFACTS, `console-${name}.png`), fullPage: true });
  const card = (name: string | RegExp): Locator => page.getByRole('article', { name });
  const approval = async (id: string) => (await as['support-lead']<ApprovalView>('GET', `/v1/approvals/${id}`)).body;

  async function signOut(p: Page = page): Promise<void> {
    await p.getByRole('button', { name: 'Sign out', exact: true }).click();
    await p.waitForSelector('body[data-state="signed-out"]');
  }

  it('serves the page with the strict CSP and asks for a key', async () => {
    const res = await page.goto(`${t.url}/console`);
    expect(res?.status()).toBe(200);
    const csp = res?.headers()['content-security-policy'] ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(await page.getAttribute('body', 'data-state')).toBe('signed-out');
    // The dashboard is one click away before signing in, and opens.
    await page.getByRole('link', { name: 'Dashboard', exact: true }).click();
    await page.waitForURL(`${t.url}/`);
    expect(await page.title()).toBe('workgate — operations dashboard');
    await page.goto(`${t.url}/console`);
    expect((await fetch(`${t.url}/console/..%2F..%2Fpackage.json`)).status).toBe(404);
    expect((await fetch(`${t.url}/console/console.js`)).headers.get('content-type')).toMatch(/^text\/javascript/);
  });

  it('shows a key the API does not know as refused', async () => {
    await page.getByLabel('API key').fill('wg_not_a_key');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForFunction(() => document.querySelector('#status')?.classList.contains('error'));
    expect(await page.textContent('#status')).toBe('That API key is not known.');
    problems.length = 0; // the refused key logged its 401
  });

  it("lists the approver's queue with the action, facts, work order, rule and policy, and approves one", async () => {
    await signIn(page, 'support-lead');
    expect(await page.textContent('#who')).toBe('Signed in as support-lead (approver, operator)');
    const refundCard = card(/write payments refund · order:1042/);
    await refundCard.waitFor();
    const text = await refundCard.innerText();
    for (const expected of [
      'CASE-1042',
      'agent',
      'refunds-and-credits-need-owner',
      'support-recovery v1',
      'amount: 40',
      'parcel lost in transit',
      'in 23 h',
    ])
      expect(text).toContain(expected);
    expect(await page.locator('#approvals-list article').count()).toBe(3);
    await shot('approvals');

    await refundCard.getByRole('button', { name: 'Approve', exact: true }).click();
    await eventually(
      async () => (await approval(ids.refund)).status === 'approved',
      10_000,
      'the approval to be approved',
    );
    expect(await approval(ids.refund)).toMatchObject({
      status: 'approved',
      decidedBy: 'support-lead',
      permittedAction: refund,
    });
    await page.waitForFunction(
      () => document.querySelector('#status')?.textContent === 'Approved: write payments refund · order:1042.',
    );
    // The card changes in place: approved, its controls gone, the list not read again.
    await refundCard.locator('.badge.approved').waitFor();
    expect(await refundCard.getByRole('button', { name: 'Approve', exact: true }).count()).toBe(0);
    expect(await page.locator('#approvals-list article').count()).toBe(3);
  });

  it('approves with conditions, then closes each condition with evidence', async () => {
    const creditCard = card(/write payments credit/);
    await creditCard.getByRole('button', { name: 'Approve with conditions' }).click();
    expect(
      JSON.parse(await creditCard.getByLabel('Permitted action (pre-filled from the request)').inputValue()),
    ).toEqual(credit);
    await creditCard
      .getByLabel('Conditions, one title per line')
      .fill('Customer confirms the credit in writing\nTeam lead countersigns');
    await creditCard.getByRole('button', { name: 'Approve with these conditions' }).click();
    await eventually(
      async () => (await approval(ids.credit)).status === 'conditional',
      10_000,
      'the approval to be conditional',
    );
    expect((await approval(ids.credit)).conditions?.map((c) => c.title)).toEqual([
      'Customer confirms the credit in writing',
      'Team lead countersigns',
    ]);

    await creditCard.getByRole('heading', { name: /Open conditions \(2\)/ }).waitFor();
    await shot('approvals-conditions');
    for (const [title, ref] of [
      ['Customer confirms the credit in writing', 'mail://case/C-77/2'],
      ['Team lead countersigns', 'doc://countersign/77'],
    ]) {
      const item = creditCard.getByRole('listitem').filter({ hasText: title });
      await item.getByLabel('Evidence', { exact: true }).fill(ref);
      await item.getByRole('button', { name: 'Close condition' }).click();
      await page.waitForFunction(
        (closed) => document.querySelector('#status')?.textContent === `Condition closed: ${closed}.`,
        title,
      );
      await ready();
    }
    // The last condition closed turns it approved, with the permitted action the approver named.
    expect(await approval(ids.credit)).toMatchObject({
      status: 'approved',
      decidedBy: 'support-lead',
      permittedAction: credit,
    });
  });

  it('shows what the API refuses as the API said it', async () => {
    const ownCard = card(/order:1077/);
    await ownCard.getByRole('button', { name: 'Approve', exact: true }).click();
    await page.waitForFunction(() => document.querySelector('#status')?.classList.contains('error'));
    const refused = await as['support-lead']<ErrorBody>('POST', `/v1/approvals/${ids.own}/decision`, {
      decision: 'approve',
      permittedAction: (await approval(ids.own)).requestedAction,
    });
    expect(refused.status).toBe(403);
    expect(await page.textContent('#status')).toBe(refused.body.message);
    expect(await page.getAttribute('#status', 'role')).toBe('status');
    expect((await approval(ids.own)).status).toBe('requested');
  });

  it('completes an overdue post-review with a remediation', async () => {
    await page.getByRole('link', { name: 'Post-reviews' }).click();
    await ready();
    const review = card(/Overdue by .* · URG-7/);
    await review.waitFor();
    await shot('post-reviews');
    await review.getByLabel('Outcome').fill('Justified: the customer could not be reached before the flight.');
    await review.getByLabel('Remediation', { exact: true }).fill('Add a second phone number to the case form');
    expect(await review.getByLabel('Remediation due').inputValue()).toBe('P14D');
    await review.getByRole('button', { name: 'Complete' }).click();
    await eventually(
      async () =>
        (await as['support-lead']<PostReviewView>('GET', `/v1/post-reviews/${ids.postReview}`)).body.status ===
        'completed',
      10_000,
      'the post-review to be completed',
    );
  });

  it('resolves an open exception with evidence', async () => {
    await page.getByRole('link', { name: 'Exceptions' }).click();
    await ready();
    const exception = card('CUSTOMER_UNREACHABLE · CASE-1077');
    await exception.waitFor();
    expect(await exception.innerText()).toContain('The customer could not be reached');
    await shot('exceptions');
    await exception.getByLabel('Resolution').fill('Reached the customer by email');
    await exception.getByLabel('Evidence kind').fill('email');
    await exception.getByLabel('Evidence', { exact: true }).fill('mail://case/C-78/5');
    await exception.getByRole('button', { name: 'Resolve' }).click();
    await eventually(
      async () => (await as.agent<ExceptionView>('GET', `/v1/exceptions/${ids.exception}`)).body.status === 'resolved',
      10_000,
      'the exception to be resolved',
    );
  });

  it('finds a work order and shows its handoff, decisions with receipts, and for an ops lead its timeline', async () => {
    await page.getByRole('link', { name: 'Work orders' }).click();
    await ready();
    await page.getByLabel('Source').fill('helpdesk');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.waitForFunction(() => location.hash.includes('source=helpdesk'));
    await ready();
    expect(await page.locator('#work-orders-list tbody tr').count()).toBe(3);
    await shot('work-orders');

    await page.getByRole('link', { name: 'CASE-1042' }).click();
    await ready();
    await page.getByRole('heading', { name: /CASE-1042/ }).waitFor();
    expect(await page.innerText('#work-order')).toContain('is shown to ops leads');
    expect(await page.innerText('#work-order')).not.toContain(ROLLBACK_NOTE);
    const delivery = await download(page, 'Download the delivery page');
    expect(delivery.suggestedFilename()).toBe('delivery-CASE-1042.html');
    expect(readFileSync(await delivery.path(), 'utf8')).toMatch(/^<!doctype html>/i);
    // Not an ops lead: the client-safe proof package, its receipts without their events.
    const plainProof = await download(page, 'Download proof package');
    expect(plainProof.suggestedFilename()).toBe('proof-public-CASE-1042.json');
    const publicPackage: ProofPackage = await proofIn(plainProof);
    expect(publicPackage.workOrder.id).toBe(ids.caseWo);
    expect(publicPackage.receipts.length).toBeGreaterThan(0);
    expect(publicPackage.receipts.filter((r) => r.event !== undefined)).toEqual([]);

    await signOut();
    await signIn(page, 'lead');
    await page.getByRole('heading', { name: 'Timeline' }).waitFor();
    // An ops lead: the proof package with every receipt's event.
    const leadProof = await download(page, 'Download proof package');
    expect(leadProof.suggestedFilename()).toBe('proof-CASE-1042.json');
    const fullPackage: ProofPackage = await proofIn(leadProof);
    expect(fullPackage.receipts.length).toBeGreaterThan(0);
    expect(fullPackage.receipts.filter((r) => r.event === undefined)).toEqual([]);
    const events = (await as.lead<RecordedEvent[]>('GET', `/v1/work-orders/${ids.caseWo}/events`)).body;
    expect(await page.locator('#work-order table').last().locator('tbody tr').count()).toBe(events.length);
    // The rollback note is private evidence: an ops lead reads it beside its decision.
    await page.getByRole('columnheader', { name: 'Rollback note' }).waitFor();
    expect(await page.innerText('#work-order')).toContain(ROLLBACK_NOTE);
    await shot('work-order');

    await page.getByRole('link', { name: /Receipt of the wait decision on write payments refund/ }).click();
    await page.getByRole('heading', { name: /Receipt of a decision/ }).waitFor();
    const decisions = (await as.lead<DecisionRecord[]>('GET', `/v1/work-orders/${ids.caseWo}/decisions`)).body;
    expect(await page.innerText('#receipt')).toContain(decisions[0].receiptId);
    expect(await page.innerText('#receipt')).toContain(
      `rollback-note: action:${decisions[0].actionId} (private) — ${ROLLBACK_NOTE}`,
    );
    await shot('receipt');
  });

  it('reads at 420 px without scrolling the page sideways', async () => {
    const narrow = await signedIn(browser, 'support-lead', '#/approvals', NARROW);
    await narrow.getByRole('article').first().waitFor();
    expect(await narrow.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(420);
    await shot('approvals-420', narrow);
    for (const [hash, name] of [
      ['#/work-orders', 'work-orders'],
      [`#/work-orders/${ids.caseWo}`, 'work-order'],
      ['#/post-reviews', 'post-reviews'],
      ['#/exceptions?owner=', 'exceptions'],
    ]) {
      await narrow.evaluate((h) => (location.hash = h), hash);
      await narrow.waitForFunction(
        () => document.body.dataset.state === 'loading' || document.body.dataset.state === 'ready',
      );
      await ready(narrow);
      expect(await narrow.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(420);
      await shot(`${name}-420`, narrow);
    }
    await narrow.close();
    expect(problems).toEqual([]);
  });
});
