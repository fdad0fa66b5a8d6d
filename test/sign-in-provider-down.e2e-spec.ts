import { randomUUID } from 'node:crypto';
import { appendFileSync } from 'node:fs';
import { createServer, request, Server } from 'node:http';
import { importJWK, SignJWT } from 'jose';
import { rsaKey } from './support/oidc';
import { eventually } from './support/processes';
import { client, writePrincipals } from './support/principals';
import { API_AUDIENCE, OIDC_BLOCK } from './support/sign-in';
import { startTestWorkgate, TestWorkgate } from './support/workgate';
import { isUnknown, parsed } from './support/guards';

/** The rate limit of this workgate: room for the waits below, small enough to spend. */
const PER_MINUTE = 400;
/** WORKGATE_OIDC_REFETCH_SECONDS here: long enough for the bursts below to fall within one period. */
const REFETCH_SECONDS = 3;

/**
 * An identity provider that cannot be reached costs workgate one fetch per period
 * (WORKGATE_OIDC_REFETCH_SECONDS, here REFETCH_SECONDS), however many tokens arrive
 * (docs/sign-in.md): a stub provider on loopback counts the fetches of its discovery document and
 * of its key set, failing the one or the other; every token meanwhile is 503 `unavailable`, naming
 * the period, and a token past the caller's rate limit is refused before it is verified.
 */
describe('bearer tokens while the identity provider is down', () => {
  const fetches = { discovery: 0, jwks: 0 };
  /** When the stub last received a fetch (of either document). */
  let lastFetchAt = 0;
  let discoveryAnswers = false;
  let stub: Server;
  let issuer = '';
  let t: TestWorkgate;
  const key = rsaKey();

  beforeAll(async () => {
    stub = createServer((req, res) => {
      if (req.url === '/.well-known/openid-configuration') {
        fetches.discovery++;
        lastFetchAt = Date.now();
        if (!discoveryAnswers) return void res.writeHead(500).end();
        const document = {
          issuer,
          jwks_uri: `${issuer}/jwks`,
          authorization_endpoint: `${issuer}/auth`,
          token_endpoint: `${issuer}/token`,
          response_types_supported: ['code'],
          subject_types_supported: ['public'],
          id_token_signing_alg_values_supported: ['RS256'],
        };
        return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(document));
      }
      if (req.url === '/jwks') {
        fetches.jwks++;
        lastFetchAt = Date.now();
        return void res.writeHead(503).end();
      }
      res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => stub.listen(0, '127.0.0.1', resolve));
    const address = stub.address();
    issuer = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    const principals = writePrincipals({ 'key-operator': ['operator'] });
    appendFileSync(principals.path, OIDC_BLOCK);
    t = await startTestWorkgate({
      env: {
        WORKGATE_PRINCIPALS: principals.path,
        WORKGATE_OIDC_ISSUER: issuer,
        WORKGATE_OIDC_CLIENT_ID: 'workgate-console',
        WORKGATE_OIDC_AUDIENCE: API_AUDIENCE,
        WORKGATE_RATE_LIMIT_PER_MINUTE: String(PER_MINUTE),
        WORKGATE_OIDC_REFETCH_SECONDS: String(REFETCH_SECONDS),
      },
    });
  });
  afterAll(async () => {
    await t?.close();
    stub?.close();
  });

  /** A token of a key the provider never published: each one new, as a flood of made-up tokens would be. */
  const madeUp = async () =>
    new SignJWT({ iss: issuer, aud: API_AUDIENCE, preferred_username: 'someone', groups: ['wg-admin'] })
      .setProtectedHeader({ alg: 'RS256', kid: randomUUID() })
      .setExpirationTime('5m')
      .sign(await importJWK(key.jwk, 'RS256'));
  const me = async () => client(t.url, await madeUp())<{ error: string; message: string }>('GET', '/v1/me');
  /** GET /v1/me from the loopback address `source`, with `token` or anonymous: status, body and the budget left. */
  const getMe = (source: string, token?: string) =>
    new Promise<{ status: number; body: unknown; remaining: number }>((resolve, reject) => {
      const headers = token ? { authorization: `Bearer ${token}` } : undefined;
      const req = request(`${t.url}/v1/me`, { localAddress: source, headers }, (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            body: parsed(text, isUnknown, 'the answer'),
            remaining: Number(res.headers['x-ratelimit-remaining']),
          }),
        );
      });
      req.on('error', reject).end();
    });
  const unavailable = {
    error: 'unavailable',
    message: expect.stringMatching(
      new RegExp(
        `^the identity provider cannot be reached .*; workgate tries again at most once every ${REFETCH_SECONDS} s$`,
      ),
    ),
  };

  it('answers 503 unavailable to every token while discovery fails, and asks the provider once', async () => {
    expect(fetches).toEqual({ discovery: 0, jwks: 0 });
    const one = await me();
    expect(one).toMatchObject({ status: 503, body: unavailable });
    const sequential = [];
    for (let i = 0; i < 10; i++) sequential.push(await me());
    const parallel = await Promise.all(Array.from({ length: 10 }, me));
    for (const res of [...sequential, ...parallel]) expect(res).toMatchObject({ status: 503, body: unavailable });
    expect(fetches).toEqual({ discovery: 1, jwks: 0 });
  });

  it('asks again once the period has passed, then fetches the failing key set once per period', async () => {
    discoveryAnswers = true;
    await eventually(async () => (await me()).status === 503 && fetches.discovery === 2, 30_000, 'a second discovery');
    expect(fetches).toEqual({ discovery: 2, jwks: 1 });
    const flood = await Promise.all(Array.from({ length: 20 }, me));
    for (const res of flood) expect(res).toMatchObject({ status: 503, body: unavailable });
    expect(fetches).toEqual({ discovery: 2, jwks: 1 });
  });

  it("counts a token against the caller's rate limit before verifying it: past the budget, no fetch", async () => {
    // Each attempt calls from a loopback address of its own: a budget with no previous minute
    // behind it is an exact count, so `X-RateLimit-Remaining: 0` means the next call is refused.
    // Only the minute turning between the last anonymous call and the token's opens a budget
    // again (the previous minute's count then fades); the next attempt starts afresh.
    let before = { ...fetches };
    let res: { status: number; body: unknown } = { status: 0, body: {} };
    for (let attempt = 0; attempt < 3 && res.status !== 429; attempt++) {
      const source = `127.0.0.${20 + attempt}`;
      const token = await madeUp();
      while ((await getMe(source)).remaining > 0);
      // Past the period of the last fetch: a token verified now would fetch the key set again.
      // (workgate starts a fetch's period before the stub receives it.)
      await eventually(
        async () => Date.now() > lastFetchAt + REFETCH_SECONDS * 1000 + 100,
        REFETCH_SECONDS * 1000 + 5000,
        'the period of the last fetch to pass',
      );
      before = { ...fetches };
      res = await getMe(source, token);
    }
    expect(res).toMatchObject({ status: 429, body: { error: 'rate_limited' } });
    expect(fetches).toEqual(before);
  }, 60_000);
});
