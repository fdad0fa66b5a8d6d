/// <reference lib="dom" />
import { join } from 'node:path';
import { Browser } from 'playwright-core';
import type { PatternDefinition } from '@workgate/contracts';
import { ARTIFACTS, NARROW, closeContexts, consolePage } from './support/console-page';
import { clientsFor, writePrincipals } from './support/principals';
import { sharedTestWorkgate, SharedTestWorkgate } from './support/shared-workgate';

const V1: PatternDefinition = {
  name: 'cwp-checklist',
  version: 1,
  title: 'Console pattern checklist',
  owner: 'cwp-admin',
  rules: [{ id: 'no-deletes', when: 'action.operation == "delete"', decision: 'stop' }],
};
const workflow = (jobType: string, extendsRef: string) => ({
  jobType,
  version: 1,
  title: `Console ${jobType}`,
  owner: 'cwp-admin',
  extends: extendsRef,
  systems: [{ name: 'shop', read: true, write: [] }],
});

/** docs/patterns.md, Changing a pattern: the workflows page names each workflow's pattern and whether it is behind. */
describe('the Workflows tab lists the pattern each workflow extends', () => {
  let t: SharedTestWorkgate;
  let browser: Browser;
  const principals = writePrincipals({ 'cwp-admin': ['admin', 'analyst'] });
  const problems: string[] = [];
  const { launch, signedIn } = consolePage(() => t.url, principals.keys, problems);

  beforeAll(async () => {
    t = await sharedTestWorkgate({ principals });
    const as = clientsFor(t.url, principals.keys);
    expect((await as['cwp-admin']('POST', '/v1/patterns', V1)).status).toBe(201);
    expect((await as['cwp-admin']('POST', '/v1/workflows', workflow('cwp-old', 'cwp-checklist@1'))).status).toBe(201);
    expect((await as['cwp-admin']('POST', '/v1/patterns', { ...V1, version: 2, title: 'Renamed' })).status).toBe(201);
    expect((await as['cwp-admin']('POST', '/v1/workflows', workflow('cwp-new', 'cwp-checklist@2'))).status).toBe(201);
    ({ browser } = await launch());
  });
  afterAll(async () => {
    await closeContexts(browser);
    await t?.close();
  });

  const rowOf = (page: import('playwright-core').Page, jobType: string) =>
    page.locator('#workflows tr', { has: page.getByRole('link', { name: jobType, exact: true }) });

  it('shows "current" or "behind (vN published)", at 1920 and 420 px', async () => {
    for (const [viewport, name] of [
      [undefined, 'console-workflow-patterns.png'],
      [NARROW, 'console-workflow-patterns-420.png'],
    ] as const) {
      const page = await signedIn(browser, 'cwp-admin', '#/workflows', viewport);
      await rowOf(page, 'cwp-old').waitFor();
      expect(await rowOf(page, 'cwp-old').innerText()).toContain('cwp-checklist@1 behind (v2 published)');
      expect(await rowOf(page, 'cwp-new').innerText()).toContain('cwp-checklist@2 current');
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(
        viewport?.width ?? 1920,
      );
      await rowOf(page, 'cwp-old').getByText('behind').scrollIntoViewIfNeeded();
      await page.screenshot({ path: join(ARTIFACTS, name) });
      await page.close();
    }
    expect(problems).toEqual([]);
  });
});
