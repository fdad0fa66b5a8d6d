/// <reference lib="dom" />
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { Page } from 'playwright-core';
import type { ApprovalQueueRow, WorkflowDefinition, WorkflowDraft, WorkflowVersion } from '@workgate/contracts';
import { ARTIFACTS } from './support/console-page';
import { designerConsole, V1 } from './support/designer';
import { isRecord, isString, parsed, recordOf, shaped } from './support/guards';
import { eventually } from './support/processes';

/**
 * The designer's own packages, and an owner's change of their own workflow (docs/approvers.md,
 * Designing a change): who will decide is named before Propose, the reviewer approves it in the
 * console, and a withdrawn proposal leaves the current version.
 */
describe('the workflow designer: its packages, and an owner changing their own workflow', () => {
  const rig = designerConsole();
  const { as, problems, signedIn } = rig;

  it("serves the editor's packages as ES modules named by the page's import map, allowed by its hash alone", async () => {
    const res = await fetch(`${rig.t.url}/console`);
    const html = await res.text();
    const map = /<script type="importmap">([^<]*)<\/script>/.exec(html)?.[1] ?? '';
    const imports = parsed(map, shaped({ imports: recordOf(isString) }), 'the import map').imports;
    const hash = createHash('sha256').update(map).digest('base64');
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain(`script-src 'self' 'sha256-${hash}';`);
    expect(csp).not.toContain('unsafe-inline');
    for (const name of ['@codemirror/view', '@codemirror/lint', '@codemirror/lang-yaml', 'yaml']) {
      const module = await fetch(`${rig.t.url}${imports[name]}`);
      expect({ name, status: module.status, type: module.headers.get('content-type') }).toEqual({
        name,
        status: 200,
        type: 'text/javascript; charset=utf-8',
      });
    }
    const yamlRoot = imports.yaml.replace(/\/browser\/index\.js$/, '');
    for (const path of [
      `${yamlRoot}/package.json`,
      `${yamlRoot}/../../package.json`,
      '/modules/..%2F..%2Fpackage.json',
    ])
      expect((await fetch(`${rig.t.url}${path}`)).status).toBe(404);
  });

  it('names who will decide before Propose when the owner drafts a widening change, and refuses one nobody could decide', async () => {
    /** A job type lead-admin owns, and a saved draft of it that adds a write. */
    const drafted = async (definition: WorkflowDefinition) => {
      expect((await as['lead-admin']('POST', '/v1/workflows', definition)).status).toBe(201);
      const widening = { ...definition, version: 2, systems: [{ name: 'shop', read: true, write: ['order.note'] }] };
      const saved = await as['lead-admin']<WorkflowDraft>(
        'POST',
        `/v1/workflows/${definition.jobType}/drafts`,
        widening,
      );
      expect(saved).toMatchObject({ status: 201, body: { problems: [], diff: { widens: true } } });
      return saved.body.draftId;
    };
    const own: WorkflowDefinition = { ...V1, jobType: 'own-desk', owner: 'lead-admin' };
    const mine = await signedIn(rig.browser, 'lead-admin', `#/workflows/own-desk?draft=${await drafted(own)}`);
    const changes = mine.locator('#draft-changes');
    await changes.filter({ hasText: 'You own this workflow' }).waitFor();
    expect(await changes.innerText()).toContain('You own this workflow: ops-admin will decide.');
    expect(await mine.getByRole('button', { name: 'Propose' }).isDisabled()).toBe(false);
    await mine.screenshot({ path: join(ARTIFACTS, 'console-designer-own-change.png'), fullPage: true });

    const lonely: WorkflowDefinition = { ...own, jobType: 'own-lonely', changeReviewers: ['lead-admin'] };
    await mine.evaluate((hash) => (location.hash = hash), `#/workflows/own-lonely?draft=${await drafted(lonely)}`);
    await changes.filter({ hasText: 'no other admin' }).waitFor();
    expect(await changes.innerText()).toContain(
      'You own this workflow: no other admin with the approver role can decide it',
    );
    expect(await mine.getByRole('button', { name: 'Propose' }).isDisabled()).toBe(true);
    await mine.close();
    expect(problems).toEqual([]);
  });

  it("proposes an owner's own change to its reviewer, who approves it in the console; a withdrawn proposal leaves the current version", async () => {
    const owned = async () => (await as['lead-admin']<WorkflowVersion>('GET', '/v1/workflows/own-desk')).body.version;
    /** A saved draft of own-desk that adds `write` to the shop, opened in lead-admin's designer. */
    const proposeIn = async (p: Page, version: number, write: string[]) => {
      const saved = await as['lead-admin']<WorkflowDraft>('POST', '/v1/workflows/own-desk/drafts', {
        ...V1,
        jobType: 'own-desk',
        owner: 'lead-admin',
        version,
        systems: [{ name: 'shop', read: true, write }],
      });
      expect(saved).toMatchObject({ status: 201, body: { problems: [], diff: { widens: true } } });
      await p.evaluate((hash) => (location.hash = hash), `#/workflows/own-desk?draft=${saved.body.draftId}`);
      await p.locator('#draft-changes').filter({ hasText: 'ops-admin will decide' }).waitFor();
      await p.getByRole('button', { name: 'Propose' }).click();
      const outcome = p.locator('#draft-outcome');
      await outcome.filter({ hasText: 'Waits for' }).waitFor();
      expect(await outcome.innerText()).toMatch(
        new RegExp(`^Waits for ops-admin's approval: own-desk v${version} widens the current version\\.`),
      );
      return outcome;
    };
    const mine = await signedIn(rig.browser, 'lead-admin', '#/workflows');
    await proposeIn(mine, 2, ['order.note']);
    expect(await owned()).toBe(1);

    // The reviewer, not the owner, decides it in the console.
    const reviewer = await signedIn(rig.browser, 'ops-admin', '#/approvals');
    const card = reviewer.getByRole('article', { name: /Workflow change: own-desk v1 → v2/ });
    await card.waitFor();
    await reviewer.screenshot({ path: join(ARTIFACTS, 'console-own-change-reviewer.png'), fullPage: true });
    await card.getByRole('button', { name: 'Approve', exact: true }).click();
    await eventually(async () => (await owned()) === 2, 10_000, 'own-desk v2 to be current');
    await reviewer.close();

    // A second widening proposal, withdrawn from the designer: nothing is published, v2 stays.
    const outcome = await proposeIn(mine, 3, ['order.note', 'order.refund']);
    await outcome.getByRole('button', { name: 'Withdraw this proposal' }).click();
    await outcome.filter({ hasText: 'Withdrawn' }).waitFor();
    expect(await outcome.innerText()).toBe(
      'Withdrawn: own-desk v3 will not be published. v2 stays the current version; the draft is kept.',
    );
    const withdrawn = await eventually(
      async () =>
        (await as['ops-admin']<ApprovalQueueRow[]>('GET', '/v1/approvals?status=withdrawn')).body.find(
          (r) => r.kind === 'workflow-change' && isRecord(r.change) && r.change.jobType === 'own-desk',
        ),
      10_000,
      'the withdrawn change',
    );
    expect(withdrawn).toMatchObject({ status: 'withdrawn', change: { version: 3 } });
    expect(await owned()).toBe(2);
    await mine.screenshot({ path: join(ARTIFACTS, 'console-designer-withdrawn.png'), fullPage: true });
    await mine.close();
    expect(problems).toEqual([]);
  });
});
