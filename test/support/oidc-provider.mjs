/*
 * The OpenID provider the sign-in tests run against: oidc-provider on 127.0.0.1, started by
 * test/support/oidc.ts as a child process (oidc-provider is ESM-only). Its settings come as one
 * JSON file named by the first argument:
 *   { port, jwks: { keys: [private JWKs] }, clients: [oidc-provider client metadata],
 *     users: { <login>: { groups: [...], email } }, apiAudience,
 *     accessTokenAlg (what the API's access tokens are signed with, default RS256),
 *     brokenUserinfo (true: its userinfo endpoint answers 500) }
 * It prints `{"issuer": "..."}` on its first line once it listens. Any login named in `users`
 * signs in with any password (the provider's own login and consent pages).
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import Provider from 'oidc-provider';

const settings = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const server = createServer();
await new Promise((resolve) => server.listen(settings.port ?? 0, '127.0.0.1', resolve));
const issuer = `http://127.0.0.1:${server.address().port}`;

const claimsOf = (login) => {
  const user = settings.users[login];
  return user
    ? {
        sub: login,
        preferred_username: login,
        name: login,
        email: user.email ?? `${login}@example.test`,
        groups: user.groups,
      }
    : undefined;
};

const provider = new Provider(issuer, {
  clients: settings.clients,
  jwks: settings.jwks,
  claims: { openid: ['sub'], profile: ['preferred_username', 'name'], email: ['email'], groups: ['groups'] },
  scopes: ['openid', 'offline_access', 'api'],
  findAccount: (_ctx, id) => {
    const claims = claimsOf(id);
    return claims ? { accountId: id, claims: () => claims } : undefined;
  },
  pkce: { required: () => true },
  features: {
    devInteractions: { enabled: true },
    rpInitiatedLogout: { enabled: true },
    // A client that asks for the API (`resource=<apiAudience>`) gets a JWT access token for it.
    resourceIndicators: {
      enabled: true,
      defaultResource: (_ctx, _client, oneOf) => oneOf,
      useGrantedResource: () => true,
      getResourceServerInfo: () => ({
        scope: 'api',
        audience: settings.apiAudience,
        accessTokenFormat: 'jwt',
        accessTokenTTL: 600,
        jwt: { sign: { alg: settings.accessTokenAlg ?? 'RS256' } },
      }),
    },
  },
  // What an organisation's provider puts in its access tokens for an API: who, and the groups.
  extraTokenClaims: (_ctx, token) => {
    if (token.kind !== 'AccessToken' || !token.resourceServer) return undefined;
    const claims = claimsOf(token.accountId);
    return claims ? { preferred_username: claims.preferred_username, groups: claims.groups } : undefined;
  },
  cookies: { keys: ['workgate-test-provider-cookie-key'] },
});
provider.proxy = false;
// A userinfo endpoint that fails, as one behind a broken proxy does.
provider.use(async (ctx, next) => {
  if (settings.brokenUserinfo && ctx.path === '/me') {
    ctx.status = 500;
    ctx.body = { error: 'server_error', error_description: 'userinfo is broken' };
    return;
  }
  await next();
});
server.on('request', provider.callback());
process.stdout.write(`${JSON.stringify({ issuer })}\n`);
process.on('SIGTERM', () => server.close(() => process.exit(0)));
