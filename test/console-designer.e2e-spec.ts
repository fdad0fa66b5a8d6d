/// <reference lib="dom" />
import { ARTIFACTS, consolePage, NARROW } from './support/console-page';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { Browser, Page } from 'playwright-core';
import type {
  ActionAnswer,
  ApprovalQueueRow,
  OpenedAnswer,
  WorkflowDefinition,
  WorkflowDraft,
  WorkflowVersion,
} from '@workgate/contracts';
import { eventually } from './support/processes';
import { client, clientsFor, writePrincipals } from './support/principals';
import { sharedTestWorkgate, SharedTestWorkgate } from './support/shared-workgate';
import { isRecord, isString, parsed, recordOf, shaped } from './support/guards';

/** Version 1: the shop may be read, not written; one step. */
const V1: WorkflowDefinition = {
  jobType: 'desk-change',
  version: 1,
  title: 'Desk change',
  owner: 'desk-lead',
  systems: [{ name: 'shop', read: true, write: [] }],
  steps: [{ id: 'note-the-order', title: 'Note the order', evidence: ['note'] }],
};

/** The rule typed into the designer, first with a condition that does not parse. */
const BROKEN_RULE = ['rules:', '  - id: no-big-notes', '    when: facts.size >', '    decision: stop'];

/**
 * The console's workflow designer in a real Chromium against a running workgate (docs/approvers.md, Designing a change):
 * an admin opens a new draft of the current version, types a rule that does not parse and sees
 * the problem at its line, fixes it and sees the map redrawn with the rule's node, adds a write
 * operation (a widening), sees the diff and the past decision it changes, and proposes it; the
 * change waits in the owner's queue, and the owner's approval in the console makes it current.
 */
describe('the workflow designer in a real browser', () => {
  let t: SharedTestWorkgate;
  let browser: Browser;
  let page: Page;
  const principals = writePrincipals({
    helpdesk: ['integrator'],
    agent: ['operator'],
    'desk-lead': ['approver'],
    designer: ['admin', 'analyst'],
    // Owns a workflow of its own: its changes go to the other admins with the approver role.
    'lead-admin': ['admin', 'approver'],
    'ops-admin': ['admin', 'approver'],
  });
  let as: Record<string, ReturnType<typeof client>>;
  const problems: string[] = [];
  let draftId = '';
  let approvalId = '';

  const current = async () => (await as.designer<WorkflowVersion>('GET', '/v1/workflows/desk-change')).body.version;
  const draft = async () =>
    (await as.designer<WorkflowDraft>('GET', `/v1/workflows/desk-change/drafts/${draftId}`)).body;
  /** The 1-based line of the first line of the draft's saved text that is `line`, found by the test. */
  const lineOf = (text: unknown, line: string) => String(text).split('\n').indexOf(line) + 1;

  beforeAll(async () => {
    t = await sharedTestWorkgate({ principals });
    as = clientsFor(t.url, principals.keys);
    expect((await as.designer('POST', '/v1/workflows', V1)).status).toBe(201);
    // A note on the shop, stopped under version 1: a draft that allows it would have let it run.
    const opened = await as.helpdesk<OpenedAnswer>('POST', '/v1/work-orders', {
      jobType: 'desk-change',
      externalRef: 'DESK-1',
      source: 'helpdesk',
      inputs: {},
    });
    expect(opened.status).toBe(201);
    const note = await as.agent<ActionAnswer>('POST', `/v1/work-orders/${opened.body.id}/actions`, {
      system: 'shop',
      operation: 'order.note',
      kind: 'write',
      facts: { size: 10 },
    });
    expect(note.body).toMatchObject({ decision: 'stop' });

    ({ browser, page } = await browserPage.launch());
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  const browserPage = consolePage(() => t.url, principals.keys, problems);
  const { signIn, signedIn } = browserPage;
  const ready = (p: Page = page) => browserPage.ready(p);
  const editor = (p: Page = page) => p.getByRole('textbox', { name: 'Definition of the draft of desk-change (YAML)' });
  /** The line number beside the gutter's error marker, as the page shows it. */
  const markedLines = (p: Page = page) =>
    p.evaluate(() => {
      const root = document.getElementById('draft-editor')?.shadowRoot;
      const numbers = Array.from(root?.querySelectorAll('.cm-lineNumbers .cm-gutterElement') ?? []);
      return Array.from(root?.querySelectorAll('.cm-lint-marker-error') ?? []).map((m) => {
        const top = m.getBoundingClientRect().top;
        return numbers.find((n) => Math.abs(n.getBoundingClientRect().top - top) < 4)?.textContent ?? '?';
      });
    });

  it("serves the editor's packages as ES modules named by the page's import map, allowed by its hash alone", async () => {
    const res = await fetch(`${t.url}/console`);
    const html = await res.text();
    const map = /<script type="importmap">([^<]*)<\/script>/.exec(html)?.[1] ?? '';
    const imports = parsed(map, shaped({ imports: recordOf(isString) }), 'the import map').imports;
    const hash = createHash('sha256').update(map).digest('base64');
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain(`script-src 'self' 'sha256-${hash}';`);
    expect(csp).not.toContain('unsafe-inline');
    for (const name of ['@codemirror/view', '@codemirror/lint', '@codemirror/lang-yaml', 'yaml']) {
      const module = await fetch(`${t.url}${imports[name]}`);
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
      expect((await fetch(`${t.url}${path}`)).status).toBe(404);
  });

  it('opens the current version as a new draft of the next version', async () => {
    await signIn(page, 'designer', '#/workflows/desk-change');
    await page.getByRole('link', { name: 'New draft' }).click();
    await editor().waitFor();
    await ready();
    const text = await editor().innerText();
    expect(text).toContain('jobType: desk-change');
    expect(text).toContain('version: 2');
    expect(text).toContain('owner: desk-lead');
    expect(problems).toEqual([]);
  });

  it('shows a rule whose condition does not parse as a problem at its line', async () => {
    await editor().click();
    await page.keyboard.press('Control+End');
    await page.keyboard.insertText(`\n${BROKEN_RULE.join('\n')}`);
    await page.waitForFunction(() => location.hash.includes('draft=') && !location.hash.includes('draft=new'));
    draftId = new URLSearchParams(new URL(page.url()).hash.split('?')[1]).get('draft')!;
    const saved = await eventually(
      async () => {
        const d = await draft();
        return String(d.source).includes('facts.size >') && d.problems.length > 0 ? d : undefined;
      },
      10_000,
      'the draft saved with its problem',
    );
    expect(saved.problems).toEqual([expect.objectContaining({ path: 'rules[0].when' })]);
    const line = lineOf(saved.source, '    when: facts.size >');
    expect(line).toBeGreaterThan(5);
    const listed = page.locator('#draft-problems li');
    await listed.filter({ hasText: 'rules[0].when' }).waitFor();
    expect(await listed.innerText()).toMatch(new RegExp(`^Line ${line} rules\\[0\\]\\.when `));
    await page.waitForFunction(
      () => !!document.getElementById('draft-editor')?.shadowRoot?.querySelector('.cm-lint-marker-error'),
    );
    expect(await markedLines()).toEqual([String(line)]);
    expect(await page.textContent('#draft-state')).toMatch(/revision \d+.*: 1 problem\.$/);
    expect(await page.getByRole('button', { name: 'Propose' }).isDisabled()).toBe(true);
    await page.screenshot({ path: join(ARTIFACTS, 'console-designer-problem.png'), fullPage: true });
  });

  it('redraws the map with the rule once it is fixed', async () => {
    // The problem's line, from the list: the cursor goes to its key; the condition is completed at the line's end.
    await page.getByRole('button', { name: /^Line \d+: rules\[0\]\.when$/ }).click();
    await page.keyboard.press('End');
    await page.keyboard.insertText(' 100');
    await page.locator('#draft-map').getByRole('button', { name: 'stop: no-big-notes', exact: true }).waitFor();
    expect(await page.locator('#draft-map').getByRole('button', { name: 'step: Note the order' }).count()).toBe(1);
    expect(await markedLines()).toEqual([]);
    expect(await page.textContent('#draft-problems')).toBe('None: the draft may be proposed.');
    const saved = await draft();
    expect(saved).toMatchObject({ problems: [], diff: { widens: false } });
    expect(await page.locator('#draft-changes').innerText()).toContain('Does not widen the boundary');
  });

  it('shows a new write operation as widening, and the past decision it changes', async () => {
    await editor().locator('.cm-line', { hasText: 'write: []' }).click();
    await page.keyboard.press('End');
    await page.keyboard.press('Backspace');
    await page.keyboard.press('Backspace');
    await page.keyboard.insertText('[ order.note ]');
    const changes = page.locator('#draft-changes li[data-effect="widens"]');
    await changes.first().waitFor();
    const saved = await draft();
    expect(saved.diff).toMatchObject({
      widens: true,
      changes: expect.arrayContaining([
        expect.objectContaining({ path: 'systems[shop].write', after: 'order.note', effect: 'widens' }),
      ]),
    });
    expect(await changes.first().innerText()).toContain('widens');
    const simulated = page.locator('#draft-simulation li');
    await simulated.first().waitFor({ timeout: 20_000 });
    expect(await simulated.count()).toBe(1);
    expect(await simulated.innerText()).toMatch(/^stop → run work order [0-9a-f]{8}\n/);
    expect(await page.textContent('#draft-simulation')).toContain('1 decided otherwise');
    await page.screenshot({ path: join(ARTIFACTS, 'console-designer.png'), fullPage: true });
    expect(problems).toEqual([]);
  });

  it("proposes the widening draft: it waits in the owner's queue, the current version stays", async () => {
    const propose = page.getByRole('button', { name: 'Propose' });
    await propose.click();
    const outcome = page.locator('#draft-outcome');
    await outcome.filter({ hasText: 'Waits for' }).waitFor();
    expect(await outcome.innerText()).toMatch(
      /^Waits for desk-lead's approval: desk-change v2 widens the current version\./,
    );
    const queued = await eventually(
      async () =>
        (await as['desk-lead']<ApprovalQueueRow[]>('GET', '/v1/approvals?owner=desk-lead')).body.find(
          (r) => r.kind === 'workflow-change',
        ),
      10_000,
      'the change in the owner queue',
    );
    expect(queued).toMatchObject({ status: 'requested', requestedBy: 'designer', change: { version: 2 } });
    const id = queued.approvalId;
    if (typeof id !== 'string') throw new Error('the queued change has no approval id');
    approvalId = id;
    expect(await outcome.getByRole('link', { name: 'Approvals tab' }).getAttribute('title')).toBe(approvalId);
    expect(await current()).toBe(1);
    await page.screenshot({ path: join(ARTIFACTS, 'console-designer-proposed.png'), fullPage: true });
  });

  it('is approved by the owner in the console, and the new version is current', async () => {
    const owner = await signedIn(browser, 'desk-lead', '#/approvals');
    const card = owner.getByRole('article', { name: /Workflow change: desk-change v1 → v2/ });
    await card.waitFor();
    expect(await card.innerText()).toContain('order.note');
    await owner.screenshot({ path: join(ARTIFACTS, 'console-designer-approval.png'), fullPage: true });
    await card.getByRole('button', { name: 'Approve', exact: true }).click();
    await eventually(async () => (await current()) === 2, 10_000, 'version 2 to be current');
    await owner.evaluate(() => (location.hash = '#/workflows'));
    const row = owner.getByRole('row').filter({ has: owner.getByRole('link', { name: 'desk-change', exact: true }) });
    await row.getByRole('link', { name: 'v2 (current)' }).waitFor();
    await owner.close();
    expect(problems).toEqual([]);
  });

  it("lists the job type's drafts on its map, each opening in the designer", async () => {
    await page.evaluate(() => (location.hash = '#/workflows/desk-change'));
    const drafts = page.locator('#workflow-drafts');
    await drafts.waitFor();
    expect(await drafts.innerText()).toMatch(
      new RegExp(`^Drafts \\(1\\): ${draftId.slice(0, 8)}, revision \\d+ by designer, `),
    );
    await drafts.getByRole('link').click();
    await page.waitForFunction((id) => location.hash === `#/workflows/desk-change?draft=${id}`, draftId);
    await editor().waitFor();
    expect(await editor().innerText()).toContain('write: [ order.note ]');
  });

  it('reads at 420 px: the editor, then its checks, without scrolling the page sideways', async () => {
    const narrow = await signedIn(browser, 'designer', `#/workflows/desk-change?draft=${draftId}`, NARROW);
    await editor(narrow).waitFor();
    await narrow.locator('#draft-map svg').waitFor();
    // Published already: the same boundary as the version in force, nothing to propose.
    await narrow.locator('#draft-changes').filter({ hasText: 'The same boundary as v2: nothing changes.' }).waitFor();
    expect(await narrow.getByRole('button', { name: 'Propose' }).isDisabled()).toBe(true);
    expect(await narrow.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(420);
    await narrow.screenshot({ path: join(ARTIFACTS, 'console-designer-420.png'), fullPage: true });
    await narrow.close();
    expect(problems).toEqual([]);
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
    const mine = await signedIn(browser, 'lead-admin', `#/workflows/own-desk?draft=${await drafted(own)}`);
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
    const mine = await signedIn(browser, 'lead-admin', '#/workflows');
    await proposeIn(mine, 2, ['order.note']);
    expect(await owned()).toBe(1);

    // The reviewer, not the owner, decides it in the console.
    const reviewer = await signedIn(browser, 'ops-admin', '#/approvals');
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
