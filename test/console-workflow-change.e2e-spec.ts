/// <reference lib="dom" />
import { join } from 'node:path';
import { Browser, Page } from 'playwright-core';
import type { ApprovalView, WorkflowChangeRequested, WorkflowDefinition, WorkflowVersion } from '@workgate/contracts';
import { ARTIFACTS, closeContexts, consolePage } from './support/console-page';
import { eventually } from './support/processes';
import { client, clientsFor, writePrincipals } from './support/principals';
import { sharedTestWorkgate, SharedTestWorkgate } from './support/shared-workgate';

const v1: WorkflowDefinition = {
  jobType: 'counter-desk',
  version: 1,
  title: 'Counter desk',
  owner: 'counter-lead',
  systems: [{ name: 'shop', read: true, write: [] }],
};
const v = (version: number, write: string[]): WorkflowDefinition => ({
  ...v1,
  version,
  systems: [{ name: 'shop', read: true, write }],
});

/** The owner of a workflow sees a change that widens it in the console's approvals, with its diff, and decides it there. */
describe('a workflow change in the console', () => {
  let t: SharedTestWorkgate;
  let browser: Browser;
  let page: Page;
  // The workgate may be shared with other files: the owner (counter-lead) is this file's alone, so its approvals page shows only this file's changes.
  const principals = writePrincipals({ 'counter-lead': ['approver'], 'change-admin': ['admin'] });
  let as: Record<string, ReturnType<typeof client>>;
  const problems: string[] = [];

  const propose = async (d: WorkflowDefinition) => {
    const r = await as['change-admin']<WorkflowChangeRequested>('POST', '/v1/workflows', d);
    expect(r.status).toBe(202);
    return r.body;
  };
  /** Another principal's write: the owner's queue (a view) lists it once the views have caught up with it. */
  const queued = (approvalId: string) =>
    eventually(
      async () =>
        (await as['counter-lead']<ApprovalView[]>('GET', '/v1/approvals?owner=counter-lead')).body.some(
          (a) => a.approvalId === approvalId,
        ),
      10_000,
      "the change in the owner's queue",
    );
  const current = async () =>
    (await as['counter-lead']<WorkflowVersion>('GET', '/v1/workflows/counter-desk')).body.version;
  const status = async (id: string) =>
    (await as['counter-lead']<ApprovalView>('GET', `/v1/approvals/${id}`)).body.status;

  beforeAll(async () => {
    t = await sharedTestWorkgate({ principals });
    as = clientsFor(t.url, principals.keys);
    expect((await as['change-admin']('POST', '/v1/workflows', v1)).status).toBe(201);
    ({ browser, page } = await launch({ viewport: { width: 1280, height: 900 } }));
  }, 180_000);
  afterAll(async () => {
    await closeContexts(browser);
    await t?.close();
  });

  const { launch, signIn } = consolePage(() => t.url, principals.keys, problems, /status of 40[34]/);
  const ready = () => page.waitForSelector('body[data-state="ready"]', { timeout: 20_000 });
  const card = (version: number) =>
    page.getByRole('article', { name: `Workflow change: counter-desk v${version - 1} → v${version}` });

  it('shows the change with each effect and sentence, and the owner approves it: the version is published', async () => {
    const change = await propose(v(2, ['order.note']));
    await queued(change.approvalId);
    await signIn(page, 'counter-lead', '#/approvals');
    const shown = card(2);
    await shown.waitFor();
    const text = await shown.innerText();
    for (const expected of ['change-admin', 'widens', 'order.note', 'systems[shop].write', '1 change, 1 widening'])
      expect(text).toContain(expected);
    expect(text).not.toMatch(/\bnull\b|undefined/);
    expect(await shown.getByRole('button', { name: 'Approve with conditions' }).count()).toBe(0);
    await page.screenshot({ path: join(ARTIFACTS, 'console-workflow-change.png'), fullPage: true });

    await shown.getByRole('button', { name: 'Approve', exact: true }).click();
    await eventually(async () => (await status(change.approvalId)) === 'approved', 10_000, 'the change approved');
    // The decision's answer comes once the version is published; the page may still be waiting for it.
    await eventually(async () => (await current()) === 2, 10_000, 'version 2 in force');
    await page.waitForFunction(() =>
      document.querySelector('#status')?.textContent?.startsWith('Approved: Workflow change'),
    );
  });

  it('rejects a change from the console: the version in force stays', async () => {
    await page.goto(`${t.url}/console#/approvals`);
    await ready();
    const change = await propose(v(3, ['order.note', 'order.refund']));
    await queued(change.approvalId);
    await page.reload();
    await ready();
    const shown = card(3);
    await shown.waitFor();
    await shown.getByRole('button', { name: 'Reject' }).click();
    await eventually(async () => (await status(change.approvalId)) === 'rejected', 10_000, 'the change rejected');
    expect(await current()).toBe(2);
    expect(problems).toEqual([]);
  });
});
