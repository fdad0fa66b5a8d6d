/// <reference lib="dom" />
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Browser, Page } from 'playwright-core';
import { closeContexts, launchChromium } from '../../../../test/support/console-page';
import { browserModules, withImportMap } from '../../routes/browser-modules';
import { PAGE_CSP } from '../../routes/static-page';

const ORIGIN = 'http://127.0.0.1:9';

interface Located {
  line: number;
  from: number;
  to: number;
  exact: boolean;
}
interface Probe {
  locatePath: (text: string, path: string) => Located;
  locateProblem: (text: string, problem: { path: string; message: string }) => Located;
  pathSegments: (path: string) => unknown[];
  editor: (text: string) => {
    show: (d: Array<{ from: number; to: number; severity: string; message: string }>) => void;
    marked: () => Array<{ line: number; severity: string; message: string }>;
  };
}
declare global {
  interface Window {
    probe: Probe;
  }
}

/** The probe page: the import map the console carries, then a module that hands the designer's modules to the test. */
const PROBE_JS = `
import { locatePath, locateProblem, pathSegments } from '/console/yaml-paths.js';
import { yamlEditor } from '/console/designer-editor.js';
window.probe = {
  locatePath, locateProblem, pathSegments,
  editor: (text) => yamlEditor(document.getElementById('editor'), text, 'test editor', () => {}),
};
document.body.dataset.ready = '';
`;

/** A definition written out by hand, each line numbered in its comment. */
const TEXT = [
  'jobType: desk-change', //  1
  'version: 2', //  2
  'title: Desk change', //  3
  'owner: desk-lead', //  4
  'systems:', //  5
  '  - name: shop', //  6
  '    read: true', //  7
  '    write:', //  8
  '      - order.note', //  9
  '  - { name: mail, read: false, write: [] }', // 10
  'rules:', // 11
  '  - id: big-notes-wait', // 12
  '    when: facts.size > 100', // 13
  '    decision: wait', // 14
  '  - id: oops', // 15
  '    when: "(("', // 16
  '    decision: stop', // 17
  'breakGlass:', // 18
  '  allowed: true', // 19
].join('\n');

/**
 * The designer's modules in headless Chromium, loaded as the console loads them: CodeMirror and
 * `yaml` by name through the import map the server writes into the page, under the console's CSP
 * with that map's hash. Where a problem's path is in the YAML text, against lines written out here.
 */
describe('the workflow designer: paths to lines, the editor under the CSP', () => {
  let browser: Browser;
  let page: Page;
  const problems: string[] = [];

  beforeAll(async () => {
    const modules = browserModules();
    const html = withImportMap(
      '<!doctype html><html><head><!-- import map --><script type="module" src="/probe.js"></script></head><body><div id="editor"></div></body></html>',
      modules.importMap,
    );
    const csp = PAGE_CSP.replace("script-src 'self'", `script-src 'self' ${html.scriptSource}`);
    browser = await launchChromium();
    page = await browser.newPage();
    page.on('pageerror', (e) => problems.push(e.message));
    page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
    await page.route('**/*', async (route) => {
      const path = new URL(route.request().url()).pathname;
      const js = (body: string | Buffer) => route.fulfill({ contentType: 'text/javascript', body });
      if (path === '/')
        return route.fulfill({
          contentType: 'text/html',
          headers: { 'Content-Security-Policy': csp },
          body: html.html,
        });
      if (path === '/probe.js') return js(PROBE_JS);
      const module = modules.files[decodeURIComponent(path.replace(/^\/modules\//, ''))];
      if (path.startsWith('/modules/') && module) return js(readFileSync(module[0]));
      const own = /^\/(console|shared)\/([\w.-]+\.js)$/.exec(path);
      if (own) return js(readFileSync(join(__dirname, '..', own[1], own[2])));
      return route.fulfill({ status: 404, body: `no ${path}` });
    });
    await page.goto(`${ORIGIN}/`);
    await page.waitForSelector('body[data-ready]', { state: 'attached', timeout: 20_000 });
  }, 30_000);
  afterAll(() => closeContexts(browser));

  it('splits a path into keys, list positions and named items', async () => {
    expect(await page.evaluate(() => window.probe.pathSegments('systems[shop].write[0]'))).toEqual([
      'systems',
      { named: 'shop' },
      'write',
      0,
    ]);
  });

  it.each([
    ['', 1, true],
    ['title', 3, true],
    ['systems', 5, true],
    ['systems[0]', 6, true],
    ['systems[0].write', 8, true],
    ['systems[0].write[0]', 9, true],
    ['systems[shop].write', 8, true],
    ['systems[1].write', 10, true],
    ['systems[mail].read', 10, true],
    ['rules', 11, true],
    ['rules[0]', 12, true],
    ['rules[1].when', 16, true],
    ['rules[oops].decision', 17, true],
    ['breakGlass.allowed', 19, true],
    // Not in the text: the deepest part of the path that is.
    ['breakGlass.reviewer', 18, false],
    ['rules[5].when', 11, false],
    ['approval.timeout', 1, false],
  ])('places %s at line %d', async (path, line, exact) => {
    const at = await page.evaluate(([text, p]) => window.probe.locatePath(text, p), [TEXT, path] as const);
    expect({ line: at.line, exact: at.exact }).toEqual({ line, exact });
    const lineText = TEXT.split('\n')[line - 1];
    expect(TEXT.slice(at.from, at.to)).toBe(lineText.slice(lineText.length - (at.to - at.from)));
  });

  it('marks a key from its start to the end of its line: `when` of the second rule', async () => {
    const at = await page.evaluate((text) => window.probe.locatePath(text, 'rules[1].when'), TEXT);
    expect(TEXT.slice(at.from, at.to)).toBe('when: "(("');
  });

  it('places a text that does not parse at the line its message names', async () => {
    const message = 'All mapping items must start at the same column at line 4, column 3:\n\n  owner: x\n  ^\n';
    const at = await page.evaluate(([text, m]) => window.probe.locateProblem(text, { path: '', message: m }), [
      TEXT,
      message,
    ] as const);
    expect(at.line).toBe(4);
    expect(TEXT.slice(at.from, at.to)).toBe('owner: desk-lead');
    const named = await page.evaluate(
      (text) => window.probe.locateProblem(text, { path: 'rules[1].when', message: 'x' }),
      TEXT,
    );
    expect(named.line).toBe(16);
  });

  it('runs the editor under the CSP and marks each diagnostic at its line', async () => {
    const marked = await page.evaluate((text) => {
      const editor = window.probe.editor(text);
      const at = window.probe.locatePath(text, 'rules[1].when');
      editor.show([{ from: at.from, to: at.to, severity: 'error', message: 'rules[1].when: does not parse' }]);
      return editor.marked();
    }, TEXT);
    expect(marked).toEqual([{ line: 16, severity: 'error', message: 'rules[1].when: does not parse' }]);
    await page.waitForSelector('.cm-lint-marker-error');
    const gutterLine = await page.evaluate(() => {
      const root = document.getElementById('editor')!.shadowRoot!;
      const marker = root.querySelector('.cm-lint-marker-error')!.getBoundingClientRect();
      const lines = Array.from(root.querySelectorAll('.cm-lineNumbers .cm-gutterElement'));
      const same = lines.find((l) => Math.abs(l.getBoundingClientRect().top - marker.top) < 4);
      return same?.textContent;
    });
    expect(gutterLine).toBe('16');
    expect(await page.locator('.cm-lintRange-error').textContent()).toBe('when: "(("');
    expect(problems).toEqual([]);
  });
});
