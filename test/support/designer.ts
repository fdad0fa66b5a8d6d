/// <reference lib="dom" />
import { Browser, Page } from 'playwright-core';
import type { WorkflowDefinition } from '@workgate/contracts';
import { closeContexts, consolePage } from './console-page';
import { Client, onSharedWorkgate } from './suite';

/** Version 1: the shop may be read, not written; one step. */
export const V1: WorkflowDefinition = {
  jobType: 'desk-change',
  version: 1,
  title: 'Desk change',
  owner: 'desk-lead',
  systems: [{ name: 'shop', read: true, write: [] }],
  steps: [{ id: 'note-the-order', title: 'Note the order', evidence: ['note'] }],
};

/**
 * The console's workflow designer in a real Chromium against the shared workgate: the principals
 * (an admin who designs, the desk's owner, and two admins with the approver role, one of whom owns
 * a workflow of their own), `seed` run once the workgate answers, a browser page, and the
 * designer's editor and its gutter as the page shows them.
 */
export function designerConsole(seed: (as: Record<string, Client>) => Promise<void> = async () => undefined) {
  const suite = onSharedWorkgate({
    helpdesk: ['integrator'],
    agent: ['operator'],
    'desk-lead': ['approver'],
    designer: ['admin', 'analyst'],
    // Owns a workflow of its own: its changes go to the other admins with the approver role.
    'lead-admin': ['admin', 'approver'],
    'ops-admin': ['admin', 'approver'],
  });
  const problems: string[] = [];
  const browserPage = consolePage(() => suite.t.url, suite.principals.keys, problems);
  let opened: { browser: Browser; page: Page } | undefined;
  const browser = () => {
    if (!opened) throw new Error('the browser is launched in beforeAll: use it inside a test');
    return opened;
  };
  const page = () => browser().page;
  beforeAll(async () => {
    await seed(suite.as);
    opened = await browserPage.launch();
  }, 180_000);
  afterAll(() => closeContexts(opened?.browser));

  return {
    principals: suite.principals,
    as: suite.as,
    get t() {
      return suite.t;
    },
    get browser() {
      return browser().browser;
    },
    get page() {
      return page();
    },
    problems,
    signIn: browserPage.signIn,
    signedIn: browserPage.signedIn,
    ready: (p: Page = page()) => browserPage.ready(p),
    editor: (p: Page = page()) => p.getByRole('textbox', { name: 'Definition of the draft of desk-change (YAML)' }),
    /** The line number beside the gutter's error marker, as the page shows it. */
    markedLines: (p: Page = page()) =>
      p.evaluate(() => {
        const root = document.getElementById('draft-editor')?.shadowRoot;
        const numbers = Array.from(root?.querySelectorAll('.cm-lineNumbers .cm-gutterElement') ?? []);
        return Array.from(root?.querySelectorAll('.cm-lint-marker-error') ?? []).map((m) => {
          const top = m.getBoundingClientRect().top;
          return numbers.find((n) => Math.abs(n.getBoundingClientRect().top - top) < 4)?.textContent ?? '?';
        });
      }),
  };
}
