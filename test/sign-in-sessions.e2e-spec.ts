import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import type { RunningWorkgate } from '../cli/workgate';
import { Jar, signInAt } from './support/oidc';
import { client } from './support/principals';
import { startWorkgate } from './support/workgate';
import { SignInWorld, startSignInWorld } from './support/sign-in';
import { checked, isString, jsonOf, shaped } from './support/guards';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/**
 * The console's sessions in the database (docs/sign-in.md, The console): two gateways on one
 * database behind one public address (the test sends each request to the gateway it chooses), a
 * sign-in started on one and finished on the other, a session used on both and kept across a
 * restart; sign-out everywhere, an admin's revocation and a principals file that no longer makes
 * the principal end sessions on every gateway; the table holds no cookie value.
 */
describe('console sessions shared by the gateways', () => {
  let w: SignInWorld;
  let second: RunningWorkgate;
  let publicUrl: string;
  /** The gateways, by name: `first` is the world's workgate (all services), `second` a gateway alone. */
  const at = (gateway: 'first' | 'second') => (gateway === 'first' ? w.t.url : second.url);

  beforeAll(async () => {
    w = await startSignInWorld({ publicUrl: true });
    publicUrl = w.publicUrl!;
    second = await startWorkgate(w.t.config, {
      port: 0,
      without: ['ledger', 'exceptions', 'policy', 'approvals', 'intake'],
    });
  }, 120_000);
  afterAll(async () => {
    await second?.close();
    await w?.close();
  });

  /** Signs `login` in: the sign-in started on one gateway, the provider's callback delivered to another; the session cookie's value. */
  const signIn = async (login: string, start: 'first' | 'second', callback: 'first' | 'second') => {
    const jar = new Jar();
    const location = await signInAt(`${at(start)}/console/sign-in`, login, `${publicUrl}/console/callback`, jar);
    const back = new URL(location);
    const res = await fetch(`${at(callback)}${back.pathname}${back.search}`, {
      redirect: 'manual',
      headers: { cookie: jar.header(), accept: 'application/json' },
    });
    if (res.status !== 302) throw new Error(`the callback answered ${res.status}: ${await res.text()}`);
    const cookie = res.headers
      .getSetCookie()
      .map((line) => /^workgate_session=([^;]+)/.exec(line)?.[1])
      .find(Boolean);
    if (!cookie) throw new Error('the callback set no session cookie');
    return { cookie, callback: `${back.pathname}${back.search}`, jar };
  };
  const me = async (gateway: 'first' | 'second', cookie: string) => {
    const res = await fetch(`${at(gateway)}/v1/me`, { headers: { cookie: `workgate_session=${cookie}` } });
    return { status: res.status, body: await jsonOf(res) };
  };
  const csrfOf = async (gateway: 'first' | 'second', cookie: string) =>
    checked(
      await jsonOf(
        await fetch(`${at(gateway)}/console/session`, { headers: { cookie: `workgate_session=${cookie}` } }),
      ),
      shaped({ csrfToken: isString }),
      'the session',
    ).csrfToken;
  const sessionRows = async () =>
    (await w.t.db.ownerPool().query<Record<string, unknown>>('SELECT * FROM console_sessions')).rows;

  it('finishes a sign-in on the other gateway, and the session works on both; the table holds only its sha256', async () => {
    const { cookie, callback, jar } = await signIn('support-lead', 'second', 'first');
    for (const gateway of ['first', 'second'] as const)
      expect(await me(gateway, cookie)).toEqual({
        status: 200,
        body: { id: 'support-lead', roles: ['operator', 'approver'] },
      });
    const rows = await sessionRows();
    expect(rows.map((r) => [r.id_sha256, r.principal])).toEqual([[sha256(cookie), 'support-lead']]);
    expect(JSON.stringify(rows)).not.toContain(cookie);
    // The sign-in was taken once: its callback replayed, on either gateway, finds nothing.
    expect((await w.t.db.ownerPool().query('SELECT 1 FROM console_logins')).rows).toEqual([]);
    for (const gateway of ['first', 'second'] as const) {
      const replay = await fetch(`${at(gateway)}${callback}`, {
        redirect: 'manual',
        headers: { cookie: jar.header(), accept: 'application/json' },
      });
      expect(replay.status).toBe(400);
    }
  });

  it('keeps the session across a restart of workgate', async () => {
    const { cookie } = await signIn('only-analyst', 'first', 'second');
    await w.t.restart();
    expect(await me('first', cookie)).toEqual({ status: 200, body: { id: 'only-analyst', roles: ['analyst'] } });
  });

  it('ends a session unused for WORKGATE_SESSION_IDLE_MINUTES (60 by default), and deletes it', async () => {
    const { cookie } = await signIn('only-integrator', 'first', 'first');
    const unusedFor = (minutes: number) =>
      w.t.db
        .ownerPool()
        .query('UPDATE console_sessions SET last_seen_at = now() - make_interval(mins => $2) WHERE id_sha256 = $1', [
          sha256(cookie),
          minutes,
        ]);
    await unusedFor(59);
    expect((await me('second', cookie)).status).toBe(200);
    await unusedFor(61);
    expect((await me('second', cookie)).status).toBe(401);
    expect((await sessionRows()).filter((r) => r.id_sha256 === sha256(cookie))).toEqual([]);
  });

  it("signs out everywhere: every session of the person ends on every gateway, another person's stays", async () => {
    const one = await signIn('only-approver', 'first', 'first');
    const two = await signIn('only-approver', 'second', 'second');
    const other = await signIn('helpdesk', 'first', 'second');
    const everywhere = (headers: Record<string, string>) =>
      fetch(`${at('second')}/console/sign-out-everywhere`, {
        method: 'POST',
        headers: { cookie: `workgate_session=${one.cookie}`, ...headers },
      }).then(async (r) => ({ status: r.status, body: await jsonOf(r), cookies: r.headers.getSetCookie() }));
    // A console write like any other: its CSRF token and workgate's origin, or 403.
    expect(await everywhere({ origin: publicUrl })).toMatchObject({ status: 403, body: { error: 'csrf_refused' } });
    const csrf = await csrfOf('first', one.cookie);
    expect(await everywhere({ origin: at('second'), 'x-csrf-token': csrf })).toMatchObject({ status: 403 });
    const ended = await everywhere({ origin: publicUrl, 'x-csrf-token': csrf });
    expect(ended.status).toBe(200);
    expect(ended.body).toEqual({ ended: 2, endSessionUrl: expect.stringContaining(w.provider.issuer) });
    expect(ended.cookies).toEqual([expect.stringMatching(/^workgate_session=; Path=\/; Max-Age=0;/)]);
    for (const gateway of ['first', 'second'] as const) {
      expect((await me(gateway, one.cookie)).status).toBe(401);
      expect((await me(gateway, two.cookie)).status).toBe(401);
      expect((await me(gateway, other.cookie)).status).toBe(200);
    }
    expect((await everywhere({ origin: publicUrl, 'x-csrf-token': csrf })).status).toBe(401);
  });

  it("lets an admin end a principal's sessions: DELETE /v1/principals/{id}/sessions", async () => {
    const { cookie } = await signIn('only-operator', 'second', 'first');
    const revoke = (key: string, id = 'only-operator') =>
      client(at('second'), w.keys[key])('DELETE', `/v1/principals/${encodeURIComponent(id)}/sessions`);
    expect(await revoke('key-operator')).toMatchObject({ status: 403, body: { error: 'forbidden' } });
    expect((await me('first', cookie)).status).toBe(200);
    expect(await revoke('key-admin')).toMatchObject({ status: 200, body: { principal: 'only-operator', ended: 1 } });
    for (const gateway of ['first', 'second'] as const) expect((await me(gateway, cookie)).status).toBe(401);
    expect(await revoke('key-admin')).toMatchObject({ status: 200, body: { principal: 'only-operator', ended: 0 } });
    expect(await revoke('key-admin', 'no one')).toMatchObject({ status: 404, body: { error: 'not_found' } });
  });

  it('ends the sessions of a person the principals file no longer makes a principal, within a second, on every gateway', async () => {
    const { cookie } = await signIn('only-ops-lead', 'first', 'second');
    const path = w.t.config.WORKGATE_PRINCIPALS;
    const before = readFileSync(path, 'utf8');
    expect(before).toContain('    wg-ops-lead: [ops-lead]\n');
    expect((await me('second', cookie)).status).toBe(200);
    try {
      writeFileSync(path, before.replace('    wg-ops-lead: [ops-lead]\n', ''));
      const written = Date.now();
      let answer = await me('second', cookie);
      while (answer.status === 200 && Date.now() - written < 5000) {
        await new Promise((r) => setTimeout(r, 25));
        answer = await me('second', cookie);
      }
      const tookMs = Date.now() - written;
      expect(answer).toMatchObject({ status: 403, body: { error: 'no_mapped_role' } });
      expect(tookMs).toBeLessThan(1000);
    } finally {
      writeFileSync(path, before);
    }
    // Ended, not paused: the person's group mapped again, the old cookie still finds nothing, on either gateway.
    await new Promise((r) => setTimeout(r, 1200));
    for (const gateway of ['first', 'second'] as const) expect((await me(gateway, cookie)).status).toBe(401);
    const again = await signIn('only-ops-lead', 'first', 'first');
    expect((await me('second', again.cookie)).status).toBe(200);
  });
});
