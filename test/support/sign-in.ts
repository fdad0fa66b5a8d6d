import { appendFileSync } from 'node:fs';
import { freePort } from './nats-server';
import { ProviderKey, rsaKey, startProvider, TestProvider, tokensFor } from './oidc';
import { TestRole, writePrincipals } from './principals';
import { startTestWorkgate, TestWorkgate } from './workgate';

export const ALL_ROLES: TestRole[] = ['integrator', 'operator', 'approver', 'analyst', 'ops-lead', 'admin'];

/** The `oidc:` block of the principals file the sign-in tests use: one group per role, `groups` claim. */
export const OIDC_BLOCK = [
  'oidc:',
  '  principalClaim: preferred_username',
  '  rolesClaim: groups',
  '  roles:',
  ...ALL_ROLES.map((role) => `    wg-${role}: [${role}]`),
  '',
].join('\n');

/** The shortest time between two fetches from the provider in these tests (the default is 10 s). */
export const REFETCH_SECONDS = 2;

/** The API's audience: what the provider's access tokens for workgate carry in `aud`. */
export const API_AUDIENCE = 'workgate-api';
export const API_RESOURCE = 'urn:workgate:api';
/** The client the tests sign in with outside a browser (its redirect URI is never visited). */
export const TEST_CLIENT = { clientId: 'api-tests', redirectUri: 'http://127.0.0.1:9/cb', resource: API_RESOURCE };

export interface SignInWorld {
  t: TestWorkgate;
  provider: TestProvider;
  key: ProviderKey;
  /** The API keys of the principals file (API-key principals, one per role and the tests' own). */
  keys: Record<string, string>;
  /** WORKGATE_PUBLIC_URL, when the world was started behind one (`startSignInWorld({ publicUrl: true })`). */
  publicUrl?: string;
  /** An access token for the API, issued by the provider to `login` after its login and consent. */
  token(login: string): Promise<string>;
  close(): Promise<void>;
}

/**
 * workgate with OpenID Connect against the test provider on loopback: its users are `only-<role>`
 * (group `wg-<role>`), `support-lead` (operator and approver), `helpdesk` (integrator and
 * operator), `nobody` (a group that maps to no role) and `key-approver` (the id of an API-key
 * principal, in group `wg-approver`); the principals file also holds an API
 * key per role (`key-<role>`) and `helpdesk-key`. With `publicUrl`, workgate is reached at a
 * WORKGATE_PUBLIC_URL of its own on loopback (nothing listens there: a test plays the load balancer
 * in front of one gateway or several, sending each request where it chooses).
 */
export async function startSignInWorld(options: { publicUrl?: boolean } = {}): Promise<SignInWorld> {
  const principals = writePrincipals({
    ...Object.fromEntries(ALL_ROLES.map((role) => [`key-${role}`, [role]])),
    'helpdesk-key': ['integrator', 'operator'],
  });
  appendFileSync(principals.path, OIDC_BLOCK);
  const port = await freePort();
  const issuer = `http://127.0.0.1:${port}`;
  const publicUrl = options.publicUrl ? `http://127.0.0.1:${await freePort()}` : undefined;
  const t = await startTestWorkgate({
    env: {
      ...(publicUrl ? { WORKGATE_PUBLIC_URL: publicUrl } : {}),
      WORKGATE_PRINCIPALS: principals.path,
      WORKGATE_OIDC_ISSUER: issuer,
      WORKGATE_OIDC_CLIENT_ID: 'workgate-console',
      WORKGATE_OIDC_AUDIENCE: API_AUDIENCE,
      WORKGATE_OIDC_REFETCH_SECONDS: String(REFETCH_SECONDS),
    },
  });
  const key = rsaKey('key-1');
  const provider = await startProvider({
    port,
    keys: [key],
    apiAudience: API_AUDIENCE,
    clients: [
      {
        client_id: 'workgate-console',
        token_endpoint_auth_method: 'none',
        redirect_uris: [`${publicUrl ?? t.url}/console/callback`],
        post_logout_redirect_uris: [`${publicUrl ?? t.url}/console`],
      },
      { client_id: TEST_CLIENT.clientId, token_endpoint_auth_method: 'none', redirect_uris: [TEST_CLIENT.redirectUri] },
    ],
    users: {
      ...Object.fromEntries(ALL_ROLES.map((role) => [`only-${role}`, { groups: [`wg-${role}`] }])),
      'support-lead': { groups: ['wg-operator', 'wg-approver'] },
      helpdesk: { groups: ['wg-integrator', 'wg-operator'] },
      nobody: { groups: ['wg-unmapped', 'everyone'] },
      // A person whose preferred_username is the id of an API-key principal of the file.
      'key-approver': { groups: ['wg-approver'] },
    },
  });
  if (provider.issuer !== issuer) throw new Error(`the provider runs at ${provider.issuer}, not ${issuer}`);
  return {
    t,
    provider,
    key,
    keys: principals.keys,
    publicUrl,
    token: async (login) => (await tokensFor(provider.issuer, login, TEST_CLIENT)).access_token,
    close: async () => {
      await provider.stop();
      await t.close();
    },
  };
}
