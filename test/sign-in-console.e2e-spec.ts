/// <reference lib="dom" />
import { createServer, Server } from 'node:http';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Browser, Page } from 'playwright-core';
import type { ApprovalView } from '@workgate/contracts';
import { Jar, signInAt } from './support/oidc';
import { eventually } from './support/processes';
import { client, parseJson } from './support/principals';
import { REFUND, refundWaiting } from './support/refunds';
import { SignInWorld, startSignInWorld } from './support/sign-in';
import { checked, isString, jsonOf, shaped } from './support/guards';
import { closeContexts, launchChromium } from './support/console-page';

const ARTIFACTS = join(__dirname, 'artifacts');

/**
 * The console's OpenID Connect sign-in in a real headless Chromium against a real provider on
 * loopback (docs/sign-in.md, The console): an approver signs in through the provider's login and consent pages,
 * sees the queue and approves; the ledger records them by the mapped claim with the issuer; their
 * own request stays 403 `self_approval`; a write from another origin or without the CSRF token is
 * 403; signing out ends the session (its cookie no longer works) and at the provider.
 */
describe('console sign-in with OpenID Connect', () => {
  let w: SignInWorld;
  let browser: Browser;
  let page: Page;
  let other: Server;
  let otherOrigin: string;
  const ids = { theirs: '', own: '' };
  const problems: string[] = [];

  beforeAll(async () => {
    w = await startSignInWorld();
    const helpdesk = client(w.t.url, w.keys['helpdesk-key']);
    const keyLead = client(w.t.url, w.keys['key-approver']);
    ids.theirs = (await refundWaiting(helpdesk, helpdesk, keyLead, 'CONSOLE-1')).approvalId;
    const lead = client(w.t.url, await w.token('support-lead'));
    ids.own = (await refundWaiting(helpdesk, lead, keyLead, 'CONSOLE-2')).approvalId;
    // Another origin on this machine (same site, other port): the page a cross-site request comes from.
    other = createServer((_req, res) => res.writeHead(200, { 'Content-Type': 'text/html' }).end('<p>elsewhere</p>'));
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
    const address = other.address();
    otherOrigin = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    browser = await launchChromium();
    page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    page.on('pageerror', (e) => problems.push(e.message));
    mkdirSync(ARTIFACTS, { recursive: true });
  }, 120_000);
  afterAll(async () => {
    await closeContexts(browser);
    other?.close();
    await w?.close();
  });

  const shot = (name: string, of: Page = page) =>
    of.screenshot({ path: join(ARTIFACTS, `sign-in-${name}.png`), fullPage: true });
  const approval = async (id: string) =>
    (await client(w.t.url, w.keys['key-approver'])<ApprovalView>('GET', `/v1/approvals/${id}`)).body;
  const sessionCookie = async () => (await page.context().cookies(w.t.url)).find((c) => c.name === 'workgate_session');

  it("signs an approver in through the provider's login and consent pages, into an HttpOnly session", async () => {
    await page.goto(`${w.t.url}/console`);
    // Named by the issuer's host (WORKGATE_OIDC_NAME unset), the issuer's whole URL in its title.
    const link = page.getByRole('link', { name: `Sign in with ${new URL(w.provider.issuer).host}` });
    await link.waitFor();
    expect(await link.getAttribute('title')).toBe(w.provider.issuer);
    await shot('console');
    await link.click();
    await page.locator('input[name="login"]').waitFor();
    await shot('provider-login');
    await page.locator('input[name="login"]').fill('support-lead');
    await page.locator('input[name="password"]').fill('any password');
    await page.getByRole('button', { name: /sign-in/i }).click();
    await page.getByRole('button', { name: 'Continue' }).waitFor();
    await shot('provider-consent');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.waitForURL(`${w.t.url}/console`);
    await page.waitForSelector('body[data-state="ready"]', { timeout: 20_000 });
    expect(await page.textContent('#who')).toBe('Signed in as support-lead (operator, approver)');
    const cookie = await sessionCookie();
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', secure: false, path: '/' });
  });

  it('shows the queue and approves; the ledger records the approver by the mapped claim and the issuer', async () => {
    const theirs = page.getByRole('article', { name: /write payments refund/ }).filter({ hasText: 'helpdesk-key' });
    await theirs.waitFor();
    expect(await page.locator('#approvals-list article').count()).toBe(2);
    await shot('queue');
    await theirs.getByRole('button', { name: 'Approve', exact: true }).click();
    await eventually(async () => (await approval(ids.theirs)).status === 'approved', 10_000, 'the approval');
    expect(await approval(ids.theirs)).toMatchObject({ decidedBy: 'support-lead', permittedAction: REFUND });
    const granted = await w.t.db
      .ownerPool()
      .query<{ metadata: unknown }>(
        "SELECT metadata FROM ledger_events WHERE stream_id = $1 AND type = 'ApprovalGranted'",
        [`approval-${ids.theirs}`],
      );
    expect(granted.rows.map((r) => r.metadata)).toEqual([
      { actor: 'support-lead', issuer: w.provider.issuer, subject: 'support-lead', producer: 'approvals' },
    ]);
  });

  it('answers 403 self_approval when the approver approves a request they made themselves', async () => {
    const own = page.getByRole('article', { name: /write payments refund/ });
    // The approved card stays where it was, with its new status; this one still waits.
    await own.getByRole('button', { name: 'Approve', exact: true }).waitFor();
    const answer = page.waitForResponse((r) => r.url().endsWith(`/v1/approvals/${ids.own}/decision`));
    await own.getByRole('button', { name: 'Approve', exact: true }).click();
    const res = await answer;
    expect(res.status()).toBe(403);
    expect(await res.json()).toMatchObject({ error: 'self_approval' });
    await page.waitForFunction(() => document.querySelector('#status')?.classList.contains('error'));
    await shot('self-approval');
    expect((await approval(ids.own)).status).toBe('requested');
  });

  it('refuses a console write from another origin, or without the CSRF token, with 403', async () => {
    const cookie = await sessionCookie();
    const decide = `${w.t.url}/v1/approvals/${ids.own}/decision`;
    // From a page of another origin in the same browser: the cookie goes along, the Origin tells.
    const elsewhere = await page.context().newPage();
    await elsewhere.goto(otherOrigin);
    const crossSite = elsewhere.waitForResponse((r) => r.url() === decide);
    await elsewhere.evaluate(
      (url) => fetch(url, { method: 'POST', mode: 'no-cors', credentials: 'include', body: '{"decision":"approve"}' }),
      decide,
    );
    const refused = await crossSite;
    // 403, not 401: the session cookie went along (same site), and its Origin refused the write.
    // (The answer to a no-cors request is opaque to the page, and to the test.)
    expect(refused.status()).toBe(403);
    await elsewhere.close();

    const { csrfToken } = checked(
      await jsonOf(
        await fetch(`${w.t.url}/console/session`, { headers: { Cookie: `workgate_session=${cookie!.value}` } }),
      ),
      shaped({ csrfToken: isString }),
      'the session',
    );
    const body = JSON.stringify({ decision: 'approve', permittedAction: REFUND });
    const post = (headers: Record<string, string>) =>
      fetch(decide, {
        method: 'POST',
        headers: { Cookie: `workgate_session=${cookie!.value}`, 'Content-Type': 'application/json', ...headers },
        body,
      }).then(async (r) => ({ status: r.status, body: await jsonOf(r) }));
    expect(await post({ Origin: w.t.url })).toMatchObject({ status: 403, body: { error: 'csrf_refused' } });
    expect(await post({ Origin: otherOrigin, 'X-CSRF-Token': csrfToken })).toMatchObject({
      status: 403,
      body: { error: 'csrf_refused' },
    });
    expect(await post({ Origin: w.t.url, 'X-CSRF-Token': 'not-the-token' })).toMatchObject({
      status: 403,
      body: { error: 'csrf_refused' },
    });
    // With both, the write goes through to the rules: still not theirs to approve.
    expect(await post({ Origin: w.t.url, 'X-CSRF-Token': csrfToken })).toMatchObject({
      status: 403,
      body: { error: 'self_approval' },
    });
    expect((await approval(ids.own)).status).toBe('requested');
  });

  it('signs out: the session cookie no longer works, and the provider ends its session', async () => {
    const cookie = await sessionCookie();
    const me = () => fetch(`${w.t.url}/v1/me`, { headers: { Cookie: `workgate_session=${cookie!.value}` } });
    expect((await me()).status).toBe(200);
    await page.getByRole('button', { name: 'Sign out', exact: true }).click();
    await page.waitForURL((url) => url.toString().startsWith(w.provider.issuer));
    await shot('provider-sign-out');
    await page.getByRole('button', { name: /yes/i }).click();
    await page.waitForURL(`${w.t.url}/console`);
    await page.getByRole('link', { name: `Sign in with ${new URL(w.provider.issuer).host}` }).waitFor();
    expect(await page.getAttribute('body', 'data-state')).toBe('signed-out');
    await shot('signed-out');
    const after = await me();
    expect(after.status).toBe(401);
    expect(await sessionCookie()).toBeUndefined();
    // Signing in again asks the provider for the login again: its session ended too.
    await page.getByRole('link', { name: `Sign in with ${new URL(w.provider.issuer).host}` }).click();
    await page.locator('input[name="login"]').waitFor();
    expect(problems).toEqual([]);
  });

  it('signs out everywhere: the same person signed in on another browser is signed out there too', async () => {
    const signedIn = async () => {
      const person = await (await browser.newContext()).newPage();
      person.on('pageerror', (e) => problems.push(e.message));
      await person.goto(`${w.t.url}/console/sign-in`);
      await person.locator('input[name="login"]').fill('support-lead');
      await person.locator('input[name="password"]').fill('any password');
      await person.getByRole('button', { name: /sign-in/i }).click();
      await person.getByRole('button', { name: 'Continue' }).click();
      await person.waitForURL(`${w.t.url}/console`);
      await person.waitForSelector('body[data-state="ready"]', { timeout: 20_000 });
      return person;
    };
    const [here, there] = [await signedIn(), await signedIn()];
    const cookieOf = async (p: Page) =>
      (await p.context().cookies(w.t.url)).find((c) => c.name === 'workgate_session')!.value;
    const meWith = async (cookie: string) =>
      (await fetch(`${w.t.url}/v1/me`, { headers: { Cookie: `workgate_session=${cookie}` } })).status;
    const [hereCookie, thereCookie] = [await cookieOf(here), await cookieOf(there)];
    expect([await meWith(hereCookie), await meWith(thereCookie)]).toEqual([200, 200]);
    await here.getByRole('button', { name: 'Sign out everywhere' }).click();
    await here.waitForURL((url) => url.toString().startsWith(w.provider.issuer));
    expect([await meWith(hereCookie), await meWith(thereCookie)]).toEqual([401, 401]);
    await there.reload();
    await there.getByRole('link', { name: `Sign in with ${new URL(w.provider.issuer).host}` }).waitFor();
    expect(await there.getAttribute('body', 'data-state')).toBe('signed-out');
    for (const p of [here, there]) await p.context().close();
    expect(problems).toEqual([]);
  });

  it('refuses a person whose groups map to no role at the callback: 403 naming the claim, and no session', async () => {
    const context = await browser.newContext();
    const nobody = await context.newPage();
    await nobody.goto(`${w.t.url}/console/sign-in`);
    await nobody.locator('input[name="login"]').fill('nobody');
    await nobody.locator('input[name="password"]').fill('any password');
    const callback = nobody.waitForResponse((r) => r.url().startsWith(`${w.t.url}/console/callback`));
    await nobody.getByRole('button', { name: /sign-in/i }).click();
    await nobody.getByRole('button', { name: 'Continue' }).click();
    const res = await callback;
    expect(res.status()).toBe(403);
    expect(res.headers()['content-type']).toBe('text/html; charset=utf-8');
    expect(await nobody.textContent('#error')).toBe('no_mapped_role (403)');
    await shot('no-mapped-role', nobody);
    expect(await nobody.textContent('#message')).toBe(
      'no value of the "groups" claim maps to a workgate role (the principals file\'s oidc.roles)',
    );
    expect((await context.cookies(w.t.url)).map((c) => c.name)).not.toContain('workgate_session');
    await nobody.getByRole('link', { name: 'Back to the console' }).click();
    await nobody.waitForURL(`${w.t.url}/console`);
    await context.close();
  });

  /** A sign-in through the provider without a browser, up to its callback: the callback's answer as `accept` asks. */
  const callbackFor = async (login: string, accept: string) => {
    const jar = new Jar();
    const callback = await signInAt(`${w.t.url}/console/sign-in`, login, `${w.t.url}/console/callback`, jar);
    const res = await fetch(callback, { redirect: 'manual', headers: { cookie: jar.header(), accept } });
    return { status: res.status, type: res.headers.get('content-type'), text: await res.text() };
  };

  it("answers 403 principal_id_taken at the callback to a person whose principal claim is an API key principal's id", async () => {
    const res = await callbackFor('key-approver', 'application/json');
    expect(res.status).toBe(403);
    expect(JSON.parse(res.text)).toEqual({
      error: 'principal_id_taken',
      message:
        'the "preferred_username" claim\'s value "key-approver" is the id of an API-key principal of the principals file: ' +
        'a signed-in person cannot act as that principal (choose an oidc.principalClaim that cannot clash, e.g. email)',
    });
  });

  it('answers 503 unavailable, as a page to a browser and as JSON otherwise, when the claims are only at a userinfo endpoint that fails', async () => {
    // The provider keeps the claims at userinfo (its ID tokens carry only sub), and userinfo now fails.
    await w.provider.rotate(w.provider.settings.keys, { brokenUserinfo: true });
    const message = expect.stringContaining(
      "the ID token lacks the mapped claims and the identity provider's userinfo endpoint failed",
    );
    const json = await callbackFor('support-lead', 'application/json');
    expect({ ...json, text: parseJson(json.text) }).toEqual({
      status: 503,
      type: 'application/json; charset=utf-8',
      text: { error: 'unavailable', message },
    });
    const context = await browser.newContext();
    const person = await context.newPage();
    await person.goto(`${w.t.url}/console/sign-in`);
    await person.locator('input[name="login"]').fill('support-lead');
    await person.locator('input[name="password"]').fill('any password');
    const callback = person.waitForResponse((r) => r.url().startsWith(`${w.t.url}/console/callback`));
    await person.getByRole('button', { name: /sign-in/i }).click();
    await person.getByRole('button', { name: 'Continue' }).click();
    expect((await callback).status()).toBe(503);
    expect(await person.textContent('#error')).toBe('unavailable (503)');
    expect(await person.textContent('#message')).toEqual(message);
    await person.getByRole('link', { name: 'Back to the console' }).click();
    await person.waitForURL(`${w.t.url}/console`);
    await context.close();
  });
});
