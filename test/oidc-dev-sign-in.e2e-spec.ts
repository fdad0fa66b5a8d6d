/// <reference lib="dom" />
import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { appendFileSync } from 'node:fs';
import { Browser, Page } from 'playwright-core';
import { ARTIFACTS, NARROW, closeContexts, launchWatched } from './support/console-page';
import { freePort } from './support/nats-server';
import { writePrincipals } from './support/principals';
import { startTestWorkgate, TestWorkgate } from './support/workgate';

/** What `npm run oidc:dev` prints before it waits: its lines up to "then open …". */
async function printed(child: ChildProcess): Promise<string[]> {
  const lines: string[] = [];
  return new Promise<string[]>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      lines.push(line);
      if (line.startsWith('then open')) resolve([...lines]);
    });
    child.once('exit', (code) => reject(new Error(`npm run oidc:dev exited with ${code}: ${lines.join('\n')}`)));
  });
}

/**
 * The first hour of sign-in (docs/sign-in.md): `npm run oidc:dev`, workgate started with exactly
 * the settings and the `oidc:` block it prints (and WORKGATE_OIDC_NAME), then one of the demo's
 * people signs in through it in Chromium: the button names the provider, the provider's login and
 * consent pages take them to the console signed in, and a route their roles do not reach answers
 * the plain 403 that says who can and what to ask for.
 */
describe('signing in to workgate through npm run oidc:dev', () => {
  let child: ChildProcess;
  let exited: Promise<unknown>;
  let t: TestWorkgate;
  let browser: Browser;
  let page: Page;
  let issuer: string;
  const problems: string[] = [];

  beforeAll(async () => {
    const port = await freePort();
    // Its own process group (npm, the script, the provider), stopped as a whole.
    child = spawn('npm', ['run', '--silent', 'oidc:dev', '--', '--port', '0'], {
      cwd: join(__dirname, '..'),
      stdio: ['ignore', 'pipe', 'ignore'],
      env: { ...process.env, PORT: String(port) },
      detached: true,
    });
    exited = new Promise((resolve) => child.once('exit', resolve));
    const lines = await printed(child);
    issuer = /^test OpenID provider at (http:\/\/127\.0\.0\.1:\d+) /.exec(lines[0])?.[1] ?? '';
    // The settings line as printed: NAME=value pairs before `npm start`.
    const settings = lines.find((line) => line.trimEnd().endsWith(' npm start')) ?? '';
    const env = Object.fromEntries(
      [...settings.matchAll(/(WORKGATE_[A-Z_]+)=(\S+)/g)].map((match) => [match[1], match[2]]),
    );
    // The oidc: block as printed, between "with this block …" and "then open …", unindented.
    const block = lines.slice(
      lines.findIndex((line) => line.startsWith('with this block')) + 1,
      lines.findIndex((line) => line.startsWith('then open')),
    );
    const principals = writePrincipals({});
    appendFileSync(principals.path, block.map((line) => line.slice(2)).join('\n') + '\n');
    t = await startTestWorkgate({
      port,
      env: { ...env, WORKGATE_PRINCIPALS: principals.path, WORKGATE_OIDC_NAME: 'Demo ID' },
    });
    // Script errors, and console errors of workgate's pages (not the provider's) but the 403 asked for below.
    const watch = (p: Page) => {
      p.on('pageerror', (e) => problems.push(e.message));
      p.on('console', (m) => {
        if (m.type() === 'error' && m.location().url.startsWith(t.url) && !/status of 403/.test(m.text()))
          problems.push(`${m.location().url}: ${m.text()}`);
      });
    };
    ({ browser, page } = await launchWatched(watch, { viewport: NARROW }));
  }, 120_000);
  afterAll(async () => {
    await closeContexts(browser);
    await t?.close();
    if (child?.pid) process.kill(-child.pid, 'SIGTERM');
    await exited;
  });

  it('answers discovery on loopback, and workgate runs at the address it printed', async () => {
    expect(issuer).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const discovery = await fetch(`${issuer}/.well-known/openid-configuration`);
    expect(discovery.status).toBe(200);
    expect(await discovery.json()).toMatchObject({ issuer, authorization_endpoint: `${issuer}/auth` });
    expect(t.config.WORKGATE_OIDC_ISSUER).toBe(issuer);
  });

  it('names the provider on the button as WORKGATE_OIDC_NAME says, at 420 and 1920 px', async () => {
    await page.goto(`${t.url}/console`);
    const button = page.getByRole('link', { name: 'Sign in with Demo ID', exact: true });
    await button.waitFor();
    expect(await button.getAttribute('title')).toBe(issuer);
    expect(await button.isVisible()).toBe(true);
    await page.screenshot({ path: join(ARTIFACTS, 'oidc-dev-sign-in-420.png'), fullPage: true });
    await page.setViewportSize({ width: 1920, height: 1080 });
    expect(await button.isVisible()).toBe(true);
    await page.screenshot({ path: join(ARTIFACTS, 'oidc-dev-sign-in-1920.png'), fullPage: true });
  });

  it("signs a demo user in through the provider's login and consent pages, into the console", async () => {
    await page.getByRole('link', { name: 'Sign in with Demo ID', exact: true }).click();
    await page.locator('input[name="login"]').fill('support-lead');
    await page.locator('input[name="password"]').fill('any password');
    await page.getByRole('button', { name: /sign-in/i }).click();
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.waitForURL(`${t.url}/console`);
    await page.waitForSelector('body[data-state="ready"]', { timeout: 20_000 });
    expect(await page.textContent('#who')).toBe('Signed in as support-lead (operator, approver)');
  });

  it('answers a route their roles do not reach with who can and what to ask an admin for', async () => {
    const refused = await page.evaluate(async () => {
      const res = await fetch('/v1/ledger/events', { credentials: 'same-origin' });
      return { status: res.status, body: await res.text() };
    });
    expect(refused.status).toBe(403);
    expect(JSON.parse(refused.body)).toEqual({
      error: 'forbidden',
      message:
        'Only ops leads can export the ledger. You (support-lead) have the operator and approver roles: ' +
        'ask an admin to map one of your groups to the ops-lead role.',
    });
    expect(problems).toEqual([]);
  });
});
