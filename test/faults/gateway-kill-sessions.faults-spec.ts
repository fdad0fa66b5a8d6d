import { join } from 'node:path';
import { Browser, BrowserContext, Page } from 'playwright-core';
import { ARTIFACTS, closeContexts, consolePage } from '../support/console-page';
import { Jar, signInAt } from '../support/oidc';
import { client } from '../support/principals';
import { eventually } from '../support/processes';
import { refundWaiting } from '../support/refunds';
import { FleetGateway, SignInFleet, startSignInFleet } from './fleet/sign-in-fleet';

/** What one page asked through HAProxy: each answer's path, status and the gateway that gave it. */
interface Seen {
  path: string;
  status: number;
  by: string;
}

/**
 * Console sessions through a gateway's death (docs/sign-in.md, Sessions): two gateways of their own
 * behind HAProxy (round robin, no sticky sessions) at the public address, in Chromium. A person
 * signed in with an API key and one signed in through the test provider stay signed in when either
 * gateway is killed (SIGKILL), each in turn: the page reloaded is answered by the other gateway
 * alone, with no new login; a sign-in whose gateway dies while the person is at the provider ends
 * on the other; sign out everywhere ends the person's sessions on both gateways at once and leaves
 * other people's.
 */
describe('faults: console sessions survive a gateway killed behind HAProxy', () => {
  let fleet: SignInFleet;
  let browser: Browser;
  const problems: string[] = [];
  /** Each page's answers through HAProxy, in order. */
  const seen = new Map<Page, Seen[]>();
  /** Requests any page sent to the provider (a new login would send some). */
  const toProvider: string[] = [];
  /** A signs in with an API key, B through the provider; what their consoles say; what their approvals list shows. */
  const people: Record<'a' | 'b', { page: Page; who: string; queue: string | RegExp }> = {
    a: {
      page: undefined!,
      who: 'Signed in as key-approver (approver)',
      queue: '0 approvals waiting for key-approver.',
    },
    b: { page: undefined!, who: 'Signed in as support-lead (operator, approver)', queue: /write payments refund/ },
  };
  let other: BrowserContext;
  let approvalId: string;

  const cp = () => consolePage(() => fleet.url, fleet.w.keys, problems);
  const provider = () => `Sign in with ${new URL(fleet.w.provider.issuer).host}`;
  /** The approvals list as it shows to `page`'s person, once read: B's holds the refund waiting for them, A's nothing. */
  const queue = (page: Page) => {
    const { queue } = Object.values(people).find((p) => p.page === page)!;
    return typeof queue === 'string' ? page.getByText(queue) : page.getByRole('article', { name: queue });
  };

  /** A page of a new browser context, its answers through HAProxy and its requests to the provider recorded. */
  const newPage = async () => {
    const page = await (await browser.newContext()).newPage();
    // Every file asked again on a reload (none from the cache): each answer names who gave it.
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
    page.on('pageerror', (e) => problems.push(e.message));
    // The console's own errors (the provider's pages ask for things elsewhere that are not found here).
    page.on('console', (m) => {
      if (m.type() === 'error' && page.url().startsWith(fleet.url)) problems.push(`${page.url()}: ${m.text()}`);
    });
    const answers: Seen[] = [];
    seen.set(page, answers);
    page.on('response', (r) => {
      if (r.url().startsWith(fleet.url))
        answers.push({ path: new URL(r.url()).pathname, status: r.status(), by: r.headers()['x-served-by'] });
    });
    page.on('request', (r) => {
      if (r.url().startsWith(fleet.w.provider.issuer)) toProvider.push(r.url());
    });
    return page;
  };
  /** From the console through the provider's login and consent pages back to the console, signed in. */
  const signInAtProvider = async (page: Page, login: string, atLoginForm?: () => Promise<void>) => {
    await page.goto(`${fleet.url}/console`);
    await page.getByRole('link', { name: provider() }).click();
    await page.locator('input[name="login"]').waitFor();
    await atLoginForm?.();
    await page.locator('input[name="login"]').fill(login);
    await page.locator('input[name="password"]').fill('any password');
    await page.getByRole('button', { name: /sign-in/i }).click();
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.waitForURL(`${fleet.url}/console`);
    await page.waitForSelector('body[data-state="ready"]', { timeout: 30_000 });
  };
  const cookieOf = async (page: Page) =>
    (await page.context().cookies(fleet.url)).find((c) => c.name === 'workgate_session')?.value;
  /** GET /v1/me with a session cookie, at one gateway directly: its status. */
  const meAt = async (gateway: FleetGateway, cookie: string) =>
    (await fetch(`${gateway.url}/v1/me`, { headers: { cookie: `workgate_session=${cookie}` } })).status;
  /** `who`'s console, reloaded: signed in, no login form, the approvals read; what answered it. */
  const reloadSignedIn = async (page: Page, who: string) => {
    const from = seen.get(page)!.length;
    const asked = toProvider.length;
    await page.reload();
    await page.waitForSelector('body[data-state="ready"]', { timeout: 30_000 });
    expect(await page.textContent('#who')).toBe(who);
    await queue(page).waitFor();
    expect(await page.locator('#sign-in').isVisible()).toBe(false);
    expect(page.url()).toBe(`${fleet.url}/console`);
    expect(toProvider.slice(asked)).toEqual([]);
    const answers = seen.get(page)!.slice(from);
    expect(answers.filter((a) => a.path.startsWith('/v1/approvals'))).toEqual([
      expect.objectContaining({ status: 200 }),
    ]);
    return answers;
  };

  beforeAll(async () => {
    fleet = await startSignInFleet();
    // A refund waiting for its approval, asked at the world's own gateway with API keys.
    const helpdesk = client(fleet.w.t.url, fleet.w.keys['helpdesk-key']);
    const keyApprover = client(fleet.w.t.url, fleet.w.keys['key-approver']);
    approvalId = (await refundWaiting(helpdesk, helpdesk, keyApprover, 'FLEET-SESSIONS-1')).approvalId;
    browser = (await cp().launch()).browser;
  }, 180_000);
  afterAll(async () => {
    await closeContexts(browser);
    await fleet?.close();
  });

  it('signs A in with an API key and B through the provider, through HAProxy: both gateways answer them', async () => {
    people.a.page = await newPage();
    await cp().signIn(people.a.page, 'key-approver', '');
    people.b.page = await newPage();
    await signInAtProvider(people.b.page, 'support-lead');
    for (const { page, who } of Object.values(people)) {
      expect(await page.textContent('#who')).toBe(who);
      await queue(page).waitFor();
      // Round robin: the console's files and API calls came from both gateways.
      expect(new Set(seen.get(page)!.map((s) => s.by))).toEqual(new Set(['gateway1', 'gateway2']));
    }
    const cookie = (await cookieOf(people.b.page))!;
    expect(cookie).toBeDefined();
    for (const gateway of fleet.gateways) expect(await meAt(gateway, cookie)).toBe(200);
    expect(problems).toEqual([]);
  });

  it('keeps both signed in when either gateway is killed (SIGKILL), each in turn: the other answers, no new login', async () => {
    for (const killed of fleet.gateways) {
      const survivor = fleet.gateways.find((g) => g !== killed)!;
      await fleet.kill(killed);
      try {
        for (const { page, who } of Object.values(people)) {
          const answers = await reloadSignedIn(page, who);
          expect(answers.length).toBeGreaterThan(5);
          expect(answers.filter((a) => a.by !== survivor.name)).toEqual([]);
        }
        const shot = join(ARTIFACTS, `gateway-kill-${killed.name}.png`);
        await people.b.page.screenshot({ path: shot, fullPage: true });
      } finally {
        await fleet.restart(killed);
      }
    }
    expect(problems).toEqual([]);
  });

  it('finishes a sign-in on the other gateway when the one that started it dies while the person is at the provider', async () => {
    const page = await newPage();
    let started: string | undefined;
    await signInAtProvider(page, 'support-lead', async () => {
      started = seen.get(page)!.find((s) => s.path === '/console/sign-in')?.by;
      const gateway = fleet.gateways.find((g) => g.name === started);
      if (!gateway) throw new Error(`the sign-in was answered by ${started}`);
      await fleet.kill(gateway);
    });
    const callback = seen.get(page)!.find((s) => s.path === '/console/callback');
    expect(callback).toEqual({ path: '/console/callback', status: 302, by: expect.any(String) });
    expect(callback!.by).not.toBe(started);
    expect(await page.textContent('#who')).toBe(people.b.who);
    // A console write (its session's CSRF token) while that gateway is still down: B approves the refund.
    const decided = page.waitForResponse((r) => r.url() === `${fleet.url}/v1/approvals/${approvalId}/decision`);
    await page
      .getByRole('article', { name: /write payments refund/ })
      .getByRole('button', { name: 'Approve', exact: true })
      .click();
    const decision = await decided;
    expect([decision.status(), decision.headers()['x-served-by']]).toEqual([200, callback!.by]);
    const approval = await client(fleet.w.t.url, fleet.w.keys['key-approver'])('GET', `/v1/approvals/${approvalId}`);
    expect(approval.body).toMatchObject({ status: 'approved', decidedBy: 'support-lead' });
    await fleet.restart(fleet.gateways.find((g) => g.name === started)!);
    other = page.context();
    expect(problems).toEqual([]);
  });

  it("signs B out everywhere: B's sessions end on both gateways at once, A and another person stay signed in", async () => {
    const [here, there] = [(await cookieOf(people.b.page))!, (await cookieOf(other.pages()[0]))!];
    expect(here).not.toBe(there);
    // Another person signed in through the provider too (over HTTP, through HAProxy): their session stays.
    const jar = new Jar();
    const back = await signInAt(`${fleet.url}/console/sign-in`, 'helpdesk', `${fleet.url}/console/callback`, jar);
    const helpdesk = (await fetch(back, { redirect: 'manual', headers: { cookie: jar.header() } })).headers
      .getSetCookie()
      .map((line) => /^workgate_session=([^;]+)/.exec(line)?.[1])
      .find(Boolean)!;
    const statuses = async (gateway: FleetGateway) => [
      await meAt(gateway, here),
      await meAt(gateway, there),
      await meAt(gateway, helpdesk),
    ];
    for (const gateway of fleet.gateways) expect(await statuses(gateway)).toEqual([200, 200, 200]);
    // The answer read on its way to the page, which leaves for the provider's end-session page at once.
    const answered: Array<{ status: number; body: unknown }> = [];
    await people.b.page.route(`${fleet.url}/console/sign-out-everywhere`, async (route) => {
      const res = await route.fetch();
      answered.push({ status: res.status(), body: await res.json() });
      await route.fulfill({ response: res });
    });
    await people.b.page.getByRole('button', { name: 'Sign out everywhere' }).click();
    expect(await eventually(async () => answered[0], 10_000, 'the answer to sign out everywhere')).toEqual({
      status: 200,
      body: { ended: 2, endSessionUrl: expect.stringContaining(fleet.w.provider.issuer) },
    });
    // At once: the first request after the answer, at either gateway, is refused.
    for (const gateway of fleet.gateways) expect(await statuses(gateway)).toEqual([401, 401, 200]);
    const elsewhere = other.pages()[0];
    await elsewhere.reload();
    await elsewhere.getByRole('link', { name: provider() }).waitFor();
    expect(await elsewhere.getAttribute('body', 'data-state')).toBe('signed-out');
    expect(await elsewhere.textContent('#who')).toBe('');
    await reloadSignedIn(people.a.page, people.a.who);
    expect(problems.filter((p) => !/status of 401/.test(p))).toEqual([]);
  });
});
