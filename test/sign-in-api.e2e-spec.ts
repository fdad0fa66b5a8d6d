import { randomUUID } from 'node:crypto';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { importJWK, JWTPayload, SignJWT } from 'jose';
import { declaredRoutes, DeclaredRoute, fillPath, openApiRoutes, routeKey } from './faults/http-routes';
import { eventually } from './support/processes';
import { client, roleRefusalPattern } from './support/principals';
import { ecKey, rsaKey } from './support/oidc';
import { ALL_ROLES, API_AUDIENCE, SignInWorld, startSignInWorld } from './support/sign-in';
import { isString, shaped } from './support/guards';

type Call = ReturnType<typeof client>;

/** Any value fits a path parameter here: the gate answers before pipes and handlers run. */
const send = (call: Call, route: DeclaredRoute) =>
  call(
    route.method,
    fillPath(route.path, Object.fromEntries(route.params.map((p) => [p, p === 'version' ? '1' : randomUUID()]))),
    route.method === 'GET' ? undefined : {},
  );

/**
 * Whether a call got past authentication and roles (its answer may still refuse the body, or the
 * handler refuse with its own 403, as the proof package does without `?public=true`).
 */
const passed = (res: { status: number; body: unknown }) => {
  const refusal = shaped({ error: isString, message: isString });
  return (
    res.status !== 401 &&
    !(
      res.status === 403 &&
      refusal(res.body) &&
      res.body.error === 'forbidden' &&
      /^Only [^.]+ can [^.]+\. (Your key|You) \(/.test(res.body.message)
    )
  );
};

/**
 * Bearer JWTs on the API (docs/sign-in.md, The API and `/mcp`), issued by a real OpenID provider on loopback: each
 * role's token reaches exactly what that role's API key reaches, and each bad token is refused
 * with the status and reason docs/api.md and docs/sign-in.md name.
 */
describe('bearer tokens from the OpenID provider', () => {
  let w: SignInWorld;
  const now = () => Math.floor(Date.now() / 1000);

  beforeAll(async () => {
    w = await startSignInWorld();
  });
  afterAll(() => w?.close());

  /** A token signed with the provider's own key (or `key`), with these claims over a valid analyst's. */
  const forged = async (claims: JWTPayload, header: { kid?: string } = {}, key = w.key) =>
    new SignJWT({
      iss: w.provider.issuer,
      aud: API_AUDIENCE,
      sub: 'only-analyst',
      preferred_username: 'only-analyst',
      groups: ['wg-analyst'],
      iat: now(),
      exp: now() + 300,
      ...claims,
    })
      .setProtectedHeader({ alg: 'RS256', kid: header.kid ?? key.kid })
      .sign(await importJWK(key.jwk, 'RS256'));

  const me = (token: string) => client(w.t.url, token)<{ error?: string }>('GET', '/v1/me');

  it("gives each role's token exactly the routes that role's API key reaches", async () => {
    const byKey = new Map(declaredRoutes().map((r) => [routeKey(r), r]));
    const routes = (await openApiRoutes(w.t.url))
      .filter((r) => r.path.startsWith('/v1/') && byKey.get(routeKey(r))?.public === false)
      .map((r) => byKey.get(routeKey(r))!);
    expect(routes.length).toBeGreaterThan(40);
    let restricted = 0;
    for (const role of ALL_ROLES) {
      const withToken = client(w.t.url, await w.token(`only-${role}`));
      const withKey = client(w.t.url, w.keys[`key-${role}`]);
      for (const route of routes) {
        const [byToken, byApiKey] = [await send(withToken, route), await send(withKey, route)];
        expect({ route: routeKey(route), role, token: passed(byToken) }).toEqual({
          route: routeKey(route),
          role,
          token: passed(byApiKey),
        });
        expect(passed(byToken)).toBe(!route.roles || route.roles.includes(role));
        if (!passed(byToken)) {
          expect(byToken.body).toEqual({
            error: 'forbidden',
            message: expect.stringMatching(roleRefusalPattern(route.roles!, `only-${role}`, [role], 'person')),
          });
          restricted++;
        }
      }
    }
    expect(restricted).toBeGreaterThan(100);
  });

  it('names the principal by its preferred_username and roles by its groups', async () => {
    const res = await me(await w.token('support-lead'));
    expect(res).toMatchObject({ status: 200, body: { id: 'support-lead', roles: ['operator', 'approver'] } });
  });

  it.each([
    // Times are taken when the test runs, not when the file is read (the world may take a minute to start).
    ['expired', () => ({ exp: now() - 120 }), 'token_expired'],
    ['not yet valid', () => ({ nbf: now() + 120 }), 'token_not_yet_valid'],
    ['for another audience', () => ({ aud: 'another-api' }), 'bad_audience'],
    ['from another issuer', () => ({ iss: 'http://127.0.0.1:1' }), 'bad_issuer'],
    ['without the principal claim', () => ({ preferred_username: undefined }), 'bad_token'],
  ])('answers 401 to a token %s, signed with the provider key', async (_what, claims, reason) => {
    const res = await me(await forged(claims()));
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe(
      `Bearer realm="workgate", error="invalid_token", error_description="${reason}"`,
    );
    expect(res.body).toEqual({ error: reason, message: expect.any(String) });
  });

  it('allows 60 s of clock drift on exp and nbf, and not more, either way', async () => {
    // docs/sign-in.md: 60 s of leeway. Ten seconds either side of it (the margin is the time a token takes
    // from being signed here to being checked there): a leeway off by more than that fails one of these.
    const answer = async (claims: Record<string, number>) => {
      const res = await me(await forged({ ...claims, jti: randomUUID() }));
      return res.status === 200 ? 'ok' : res.body.error;
    };
    expect(await answer({ exp: now() - 50 })).toBe('ok');
    expect(await answer({ exp: now() - 70 })).toBe('token_expired');
    expect(await answer({ nbf: now() + 50 })).toBe('ok');
    expect(await answer({ nbf: now() + 70 })).toBe('token_not_yet_valid');
  });

  it('refuses alg none, HS256 keyed with the public key, and a forged signature', async () => {
    const valid = await forged({});
    const [, payload] = valid.split('.');
    const none = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${payload}.`;
    expect((await me(none)).body).toEqual({ error: 'bad_algorithm', message: expect.any(String) });

    const hs256 = await new SignJWT({ ...JSON.parse(Buffer.from(payload, 'base64url').toString()) })
      .setProtectedHeader({ alg: 'HS256', kid: w.key.kid })
      .sign(Buffer.from(w.key.publicPem));
    const refused = await me(hs256);
    expect(refused).toMatchObject({ status: 401, body: { error: 'bad_algorithm' } });

    const other = rsaKey(w.key.kid);
    const wrongKey = await forged({}, {}, other);
    expect((await me(wrongKey)).body).toEqual({ error: 'bad_signature', message: expect.any(String) });
  });

  it('answers 403 naming the claim to a person whose groups map to no role', async () => {
    const res = await me(await w.token('nobody'));
    expect(res).toEqual(
      expect.objectContaining({
        status: 403,
        body: {
          error: 'no_mapped_role',
          message: 'no value of the "groups" claim maps to a workgate role (the principals file\'s oidc.roles)',
        },
      }),
    );
  });

  it('takes a token signed with a key the provider rotated in, once its key set is fetched again', async () => {
    const before = await w.token('only-analyst');
    expect((await me(before)).status).toBe(200);
    const next = rsaKey('key-2');
    await w.provider.rotate([next, w.key]);
    const after = await w.token('only-analyst');
    expect(JSON.parse(Buffer.from(after.split('.')[0], 'base64url').toString())).toMatchObject({ kid: 'key-2' });
    const seen = new Set<string>();
    await eventually(
      async () => {
        const res = await me(after);
        seen.add(res.status === 200 ? 'ok' : String(res.body.error));
        return res.status === 200;
      },
      30_000,
      'the rotated key to be accepted',
    );
    // Until the key set is fetched again (at most once per REFETCH_SECONDS), the only answer is unknown_key.
    expect([...seen].filter((s) => s !== 'ok' && s !== 'unknown_key')).toEqual([]);
    // A kid the provider never published stays unknown.
    const stranger = await forged({}, { kid: 'never-published' }, rsaKey('never-published'));
    expect((await me(stranger)).body).toEqual({ error: 'unknown_key', message: expect.any(String) });

    // The provider rotates the first key out: once the key set is fetched again (a kid it lacks
    // asks for that), a token signed with the retired key is refused, and one of the new key is not.
    await w.provider.rotate([next]);
    // A verified token is remembered until it expires, so each try signs a new one with the retired key.
    await eventually(
      async () => {
        await me(stranger);
        return (await me(await forged({ jti: randomUUID() }))).status === 401;
      },
      30_000,
      'the retired key to be refused',
    );
    expect((await me(await forged({ jti: randomUUID() }))).body).toEqual({
      error: 'unknown_key',
      message: expect.any(String),
    });
    expect((await me(after)).status).toBe(200);
    // The first key back, for the tests after this one.
    await w.provider.rotate([next, w.key]);
    await eventually(
      async () => (await me(await forged({ jti: randomUUID() }))).status === 200,
      30_000,
      'the first key to be accepted again',
    );
  });

  it('takes a token signed with a key of another algorithm the provider added, once its key set is fetched again', async () => {
    // workgate holds the key set of RS256 keys alone.
    expect((await me(await w.token('only-analyst'))).status).toBe(200);
    const keys = w.provider.settings.keys;
    await w.provider.rotate([ecKey('key-ec'), ...keys], { accessTokenAlg: 'ES256' });
    const token = await w.token('only-analyst');
    expect(JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString())).toMatchObject({
      alg: 'ES256',
      kid: 'key-ec',
    });
    const seen = new Set<string>();
    await eventually(
      async () => {
        const res = await me(token);
        seen.add(res.status === 200 ? 'ok' : String(res.body.error));
        return res.status === 200;
      },
      30_000,
      'the ES256 key to be accepted',
    );
    expect([...seen].filter((s) => s !== 'ok' && s !== 'unknown_key')).toEqual([]);
    // The key set now holds an ES256 key: a token of an algorithm it still lacks stays refused.
    const ps256 = await new SignJWT({ iss: w.provider.issuer, aud: API_AUDIENCE, exp: now() + 300 })
      .setProtectedHeader({ alg: 'PS256', kid: w.key.kid })
      .sign(await importJWK(w.key.jwk, 'PS256'));
    expect((await me(ps256)).body).toEqual({
      error: 'bad_algorithm',
      message: 'alg "PS256" is not an algorithm of the issuer\'s keys (ES256, RS256)',
    });
    await w.provider.rotate(keys, { accessTokenAlg: 'RS256' });
  });

  it('answers 403 principal_id_taken to a person whose principal claim is the id of an API-key principal', async () => {
    const res = await me(await w.token('key-approver'));
    expect(res).toMatchObject({
      status: 403,
      body: {
        error: 'principal_id_taken',
        message:
          'the "preferred_username" claim\'s value "key-approver" is the id of an API-key principal of the principals file: ' +
          'a signed-in person cannot act as that principal (choose an oidc.principalClaim that cannot clash, e.g. email)',
      },
    });
    // The API key of that id still acts as itself.
    expect((await me(w.keys['key-approver'])).body).toMatchObject({ id: 'key-approver' });
  });

  it('takes a token on /mcp as on /v1, and its tools call the API with it', async () => {
    const mcp = new Client({ name: 'signed-in-agent', version: '1' });
    await mcp.connect(
      new StreamableHTTPClientTransport(new URL(`${w.t.url}/mcp`), {
        requestInit: { headers: { Authorization: `Bearer ${await w.token('helpdesk')}` } },
      }),
    );
    try {
      expect((await mcp.listTools()).tools.map((tool) => tool.name)).toContain('get_work_order');
      // The tool reaches /v1 with the same token: past the gate, the work order is simply not there.
      const result = await mcp.callTool({ name: 'get_work_order', arguments: { workOrderId: randomUUID() } });
      expect(JSON.stringify(result.content)).toContain('not_found');
    } finally {
      await mcp.close();
    }
    const expired = await client(w.t.url, await forged({ exp: now() - 3600 }))('POST', '/mcp', {
      jsonrpc: '2.0',
      id: 1,
      method: 'tools/list',
    });
    expect(expired).toMatchObject({ status: 401, body: { error: 'token_expired' } });
  });
});
