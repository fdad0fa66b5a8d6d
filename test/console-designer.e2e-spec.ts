/// <reference lib="dom" />
import { join } from 'node:path';
import type { ActionAnswer, ApprovalQueueRow, OpenedAnswer, WorkflowDraft, WorkflowVersion } from '@workgate/contracts';
import { ARTIFACTS, NARROW } from './support/console-page';
import { designerConsole, V1 } from './support/designer';
import { eventually } from './support/processes';

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
  const rig = designerConsole(async (as) => {
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
  });
  const { as, problems, signIn, signedIn, ready, editor, markedLines } = rig;
  let draftId = '';
  let approvalId = '';

  const current = async () => (await as.designer<WorkflowVersion>('GET', '/v1/workflows/desk-change')).body.version;
  const draft = async () =>
    (await as.designer<WorkflowDraft>('GET', `/v1/workflows/desk-change/drafts/${draftId}`)).body;
  /** The 1-based line of the first line of the draft's saved text that is `line`, found by the test. */
  const lineOf = (text: unknown, line: string) => String(text).split('\n').indexOf(line) + 1;

  it('opens the current version as a new draft of the next version', async () => {
    await signIn(rig.page, 'designer', '#/workflows/desk-change');
    await rig.page.getByRole('link', { name: 'New draft' }).click();
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
    await rig.page.keyboard.press('Control+End');
    await rig.page.keyboard.insertText(`\n${BROKEN_RULE.join('\n')}`);
    await rig.page.waitForFunction(() => location.hash.includes('draft=') && !location.hash.includes('draft=new'));
    draftId = new URLSearchParams(new URL(rig.page.url()).hash.split('?')[1]).get('draft')!;
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
    const listed = rig.page.locator('#draft-problems li');
    await listed.filter({ hasText: 'rules[0].when' }).waitFor();
    expect(await listed.innerText()).toMatch(new RegExp(`^Line ${line} rules\\[0\\]\\.when `));
    await rig.page.waitForFunction(
      () => !!document.getElementById('draft-editor')?.shadowRoot?.querySelector('.cm-lint-marker-error'),
    );
    expect(await markedLines()).toEqual([String(line)]);
    expect(await rig.page.textContent('#draft-state')).toMatch(/revision \d+.*: 1 problem\.$/);
    expect(await rig.page.getByRole('button', { name: 'Propose' }).isDisabled()).toBe(true);
    await rig.page.screenshot({ path: join(ARTIFACTS, 'console-designer-problem.png'), fullPage: true });
  });

  it('redraws the map with the rule once it is fixed', async () => {
    // The problem's line, from the list: the cursor goes to its key; the condition is completed at the line's end.
    await rig.page.getByRole('button', { name: /^Line \d+: rules\[0\]\.when$/ }).click();
    await rig.page.keyboard.press('End');
    await rig.page.keyboard.insertText(' 100');
    await rig.page.locator('#draft-map').getByRole('button', { name: 'stop: no-big-notes', exact: true }).waitFor();
    expect(await rig.page.locator('#draft-map').getByRole('button', { name: 'step: Note the order' }).count()).toBe(1);
    expect(await markedLines()).toEqual([]);
    expect(await rig.page.textContent('#draft-problems')).toBe('None: the draft may be proposed.');
    const saved = await draft();
    expect(saved).toMatchObject({ problems: [], diff: { widens: false } });
    expect(await rig.page.locator('#draft-changes').innerText()).toContain('Does not widen the boundary');
  });

  it('shows a new write operation as widening, and the past decision it changes', async () => {
    await editor().locator('.cm-line', { hasText: 'write: []' }).click();
    await rig.page.keyboard.press('End');
    await rig.page.keyboard.press('Backspace');
    await rig.page.keyboard.press('Backspace');
    await rig.page.keyboard.insertText('[ order.note ]');
    const changes = rig.page.locator('#draft-changes li[data-effect="widens"]');
    await changes.first().waitFor();
    const saved = await draft();
    expect(saved.diff).toMatchObject({
      widens: true,
      changes: expect.arrayContaining([
        expect.objectContaining({ path: 'systems[shop].write', after: 'order.note', effect: 'widens' }),
      ]),
    });
    expect(await changes.first().innerText()).toContain('widens');
    const simulated = rig.page.locator('#draft-simulation li');
    await simulated.first().waitFor({ timeout: 20_000 });
    expect(await simulated.count()).toBe(1);
    expect(await simulated.innerText()).toMatch(/^stop → run work order [0-9a-f]{8}\n/);
    expect(await rig.page.textContent('#draft-simulation')).toContain('1 decided otherwise');
    await rig.page.screenshot({ path: join(ARTIFACTS, 'console-designer.png'), fullPage: true });
    expect(problems).toEqual([]);
  });

  it("proposes the widening draft: it waits in the owner's queue, the current version stays", async () => {
    const propose = rig.page.getByRole('button', { name: 'Propose' });
    await propose.click();
    const outcome = rig.page.locator('#draft-outcome');
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
    await rig.page.screenshot({ path: join(ARTIFACTS, 'console-designer-proposed.png'), fullPage: true });
  });

  it('is approved by the owner in the console, and the new version is current', async () => {
    const owner = await signedIn(rig.browser, 'desk-lead', '#/approvals');
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
    await rig.page.evaluate(() => (location.hash = '#/workflows/desk-change'));
    const drafts = rig.page.locator('#workflow-drafts');
    await drafts.waitFor();
    expect(await drafts.innerText()).toMatch(
      new RegExp(`^Drafts \\(1\\): ${draftId.slice(0, 8)}, revision \\d+ by designer, `),
    );
    await drafts.getByRole('link').click();
    await rig.page.waitForFunction((id) => location.hash === `#/workflows/desk-change?draft=${id}`, draftId);
    await editor().waitFor();
    expect(await editor().innerText()).toContain('write: [ order.note ]');
  });

  it('reads at 420 px: the editor, then its checks, without scrolling the page sideways', async () => {
    const narrow = await signedIn(rig.browser, 'designer', `#/workflows/desk-change?draft=${draftId}`, NARROW);
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
});
