/// <reference lib="dom" />
import { Browser, Page } from 'playwright-core';
import type { ApprovalView, PatternChangeRequested, PatternVersion } from '@workgate/contracts';
import { closeContexts, consolePage, shootCardWideAndNarrow } from './support/console-page';
import { eventually } from './support/processes';
import { client, clientsFor, writePrincipals } from './support/principals';
import { sharedTestWorkgate, SharedTestWorkgate } from './support/shared-workgate';
import { trackerPattern } from './support/tracker-pattern';

/** A pattern of this file alone, and its version 2 that widens it (derived workflows may close tickets too). */
const { v1: V1, v2: V2 } = trackerPattern('cpc-checklist', 'cpc-owner', 'Console pattern change checklist');

/** The owner of a pattern sees a version that widens it in the console's approvals, with its diff, and approves it there (docs/patterns.md). */
describe('a pattern change in the console', () => {
  let t: SharedTestWorkgate;
  let browser: Browser;
  let page: Page;
  // The owner (cpc-owner) is this file's alone: its approvals page shows only this file's changes.
  const principals = writePrincipals({ 'cpc-owner': ['approver'], 'cpc-admin': ['admin'] });
  let as: Record<string, ReturnType<typeof client>>;
  const problems: string[] = [];

  beforeAll(async () => {
    t = await sharedTestWorkgate({ principals });
    as = clientsFor(t.url, principals.keys);
    expect((await as['cpc-admin']('POST', '/v1/patterns', V1)).status).toBe(201);
    ({ browser, page } = await launch());
  }, 180_000);
  afterAll(async () => {
    await closeContexts(browser);
    await t?.close();
  });

  const { launch, signIn } = consolePage(() => t.url, principals.keys, problems, /status of 40[34]/);
  const newest = async () => (await as['cpc-owner']<PatternVersion>('GET', '/v1/patterns/cpc-checklist')).body.version;

  it('shows the pattern, its versions and the widened part; the owner approves it and v2 is published', async () => {
    const asked = await as['cpc-admin']<PatternChangeRequested>('POST', '/v1/patterns', V2);
    expect(asked.status).toBe(202);
    const { approvalId } = asked.body;
    await eventually(
      async () =>
        (await as['cpc-owner']<ApprovalView[]>('GET', '/v1/approvals?owner=cpc-owner')).body.some(
          (a) => a.approvalId === approvalId,
        ),
      10_000,
      "the change in the owner's queue",
    );
    await signIn(page, 'cpc-owner', '#/approvals');
    const card = page.getByRole('article', { name: 'Pattern change: cpc-checklist v1 → v2' });
    await card.waitFor();
    expect(await card.getAttribute('data-kind')).toBe('pattern-change');
    const text = await card.innerText();
    for (const expected of ['cpc-admin', 'widens', 'close', 'systems[tracker].write', '1 change, 1 widening'])
      expect(text).toContain(expected);
    expect(text).not.toMatch(/\bnull\b|undefined/);
    expect(await card.getByRole('button', { name: 'Approve with conditions' }).count()).toBe(0);
    await shootCardWideAndNarrow(page, card, 'console-pattern-change');

    await card.getByRole('button', { name: 'Approve', exact: true }).click();
    await eventually(
      async () =>
        (await as['cpc-owner']<ApprovalView>('GET', `/v1/approvals/${approvalId}`)).body.status === 'approved',
      10_000,
      'the change approved',
    );
    await eventually(async () => (await newest()) === 2, 10_000, 'version 2 the newest');
    await page.waitForFunction(() =>
      document.querySelector('#status')?.textContent?.startsWith('Approved: Pattern change'),
    );
    expect(problems).toEqual([]);
  });
});
