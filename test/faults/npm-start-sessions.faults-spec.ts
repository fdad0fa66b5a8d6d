import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freshDatabase, TestDatabase } from '../support/database';
import { checked, isBoolean, isString, jsonOf, shaped } from '../support/guards';
import { Jar, rsaKey, signInAt, startProvider, TestProvider } from '../support/oidc';
import { writePrincipals } from '../support/principals';
import { freePort, startNatsServer, TestNatsServer } from '../support/nats-server';
import { ServiceProcess, startBuiltWorkgate } from '../support/processes';
import { API_AUDIENCE, OIDC_BLOCK } from '../support/sign-in';

/**
 * `npm start` (node dist/cli/start.js, every service in one process) keeps its console sessions
 * across a restart (docs/sign-in.md, Sessions): a person signed in through the test provider, the
 * process stopped with SIGTERM and started again on the same database and data directory, and the
 * same session cookie still signs the person in, with no new login; after sign out it is refused.
 */
describe('faults: npm start restarted keeps its console sessions', () => {
  let nats: TestNatsServer;
  let db: TestDatabase;
  let provider: TestProvider;
  let dataDir: string;
  let env: Record<string, string>;
  let workgate: ServiceProcess | undefined;
  let url: string;

  beforeAll(async () => {
    nats = await startNatsServer();
    db = await freshDatabase();
    dataDir = mkdtempSync(join(tmpdir(), 'wg-npm-start-sessions-'));
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    const principals = writePrincipals({ 'key-admin': ['admin'] });
    appendFileSync(principals.path, OIDC_BLOCK);
    const providerPort = await freePort();
    provider = await startProvider({
      port: providerPort,
      keys: [rsaKey('key-1')],
      apiAudience: API_AUDIENCE,
      clients: [
        {
          client_id: 'workgate-console',
          token_endpoint_auth_method: 'none',
          redirect_uris: [`${url}/console/callback`],
          post_logout_redirect_uris: [`${url}/console`],
        },
      ],
      users: { 'support-lead': { groups: ['wg-operator', 'wg-approver'] } },
    });
    env = {
      DATABASE_URL: db.url,
      NATS_URL: nats.url,
      PORT: String(port),
      WORKGATE_DATA_DIR: dataDir,
      WORKGATE_SIGNING_KEY: '',
      WORKGATE_MCP_FILES_DIR: '',
      WORKGATE_PRINCIPALS: principals.path,
      WORKGATE_OIDC_ISSUER: provider.issuer,
      WORKGATE_OIDC_CLIENT_ID: 'workgate-console',
      WORKGATE_OIDC_AUDIENCE: API_AUDIENCE,
      LOG_LEVEL: 'info',
    };
    workgate = await startBuiltWorkgate(env);
  }, 180_000);
  afterAll(async () => {
    await workgate?.kill('SIGKILL');
    await provider?.stop();
    await db?.drop();
    await nats?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  const withCookie = (cookie: string) => ({ headers: { cookie: `workgate_session=${cookie}` } });
  const me = async (cookie: string) => {
    const res = await fetch(`${url}/v1/me`, withCookie(cookie));
    return { status: res.status, body: await jsonOf(res) };
  };

  it('signs a person in, restarts (SIGTERM, then start again): the same cookie still works; after sign out it does not', async () => {
    // The console's sign-in over HTTP: the provider's login and consent forms, then the callback.
    const jar = new Jar();
    const callback = await signInAt(`${url}/console/sign-in`, 'support-lead', `${url}/console/callback`, jar);
    const res = await fetch(callback, {
      redirect: 'manual',
      headers: { cookie: jar.header(), accept: 'application/json' },
    });
    expect(res.status).toBe(302);
    const cookie = res.headers
      .getSetCookie()
      .map((line) => /^workgate_session=([^;]+)/.exec(line)?.[1])
      .find(Boolean)!;
    expect(cookie).toBeDefined();
    const signedIn = { status: 200, body: { id: 'support-lead', roles: ['operator', 'approver'] } };
    expect(await me(cookie)).toEqual(signedIn);
    // A cookie the server never issued is refused: the check below can fail.
    expect((await me('not-a-session')).status).toBe(401);

    const pid = workgate!.child.pid;
    await workgate!.kill('SIGTERM');
    expect(workgate!.child.exitCode).toBe(0);
    await expect(fetch(`${url}/v1/me`, withCookie(cookie))).rejects.toThrow();
    workgate = await startBuiltWorkgate(env);
    expect(workgate.child.pid).not.toBe(pid);
    expect(await me(cookie)).toEqual(signedIn);

    const session = await fetch(`${url}/console/session`, withCookie(cookie)).then(jsonOf);
    const csrf = checked(session, shaped({ signedIn: isBoolean, csrfToken: isString }), 'the session');
    expect(csrf.signedIn).toBe(true);
    const out = await fetch(`${url}/console/sign-out`, {
      method: 'POST',
      headers: { cookie: `workgate_session=${cookie}`, origin: url, 'x-csrf-token': csrf.csrfToken },
    });
    expect(out.status).toBe(200);
    expect((await me(cookie)).status).toBe(401);
  });
});
