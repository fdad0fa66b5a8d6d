import { Pool } from 'pg';
import { WorkgateError } from '@workgate/contracts';
import type { ConsoleSession } from './console-sessions';
import { ConsoleSessionRepository } from './console-sessions.repository';
import { parsePrincipalsFile, PrincipalDirectory } from './principals';
import { SignIn } from './sign-in';

const CONFIG = {
  WORKGATE_OIDC_ISSUER: 'https://id.example.com',
  WORKGATE_OIDC_CLIENT_ID: 'workgate',
  WORKGATE_PRINCIPALS: 'config/principals.local.yaml',
  WORKGATE_PUBLIC_URL: 'https://work.example.com/',
  WORKGATE_OIDC_REFETCH_SECONDS: 10,
};
const file = parsePrincipalsFile(
  'principals: []\noidc: { principalClaim: email, rolesClaim: roles, roles: { approvers: [approver] } }\n',
  'p.yaml',
);
/** Never asked here (no session is looked up): test/console-sessions.int-spec.ts tests the sessions against Postgres. */
const SESSIONS = new ConsoleSessionRepository(new Pool(), 3600);

describe('SignIn', () => {
  it('does not start without the oidc: block, naming the file and what to add', () => {
    expect(() => new SignIn(CONFIG, new PrincipalDirectory(), SESSIONS)).toThrow(
      'WORKGATE_OIDC_ISSUER is set but the principals file config/principals.local.yaml has no "oidc:" block: ' +
        'add oidc: { principalClaim, rolesClaim, roles: { <group>: [roles] } } (docs/sign-in.md)',
    );
  });

  const signIn = new SignIn(CONFIG, new PrincipalDirectory(file.principals, file.oidc), SESSIONS);
  const session: ConsoleSession = {
    principal: 'a@example.com',
    claims: { email: 'a@example.com', roles: ['approvers'] },
    issuer: CONFIG.WORKGATE_OIDC_ISSUER,
    csrfToken: 'the-csrf-token',
    expiresAt: Date.now() + 60_000,
  };
  const request = (method: string, headers: Record<string, string>) => ({
    method,
    headers,
    socket: { localPort: 3000 },
  });

  it('builds the redirect URI from WORKGATE_PUBLIC_URL, and maps the claims by the block', () => {
    expect(signIn.redirectUri(request('GET', {}))).toBe('https://work.example.com/console/callback');
    expect(signIn.principalOf(session.claims)).toEqual({
      id: 'a@example.com',
      roles: ['approver'],
      signedIn: { issuer: 'https://id.example.com', subject: 'a@example.com' },
    });
  });

  it('refuses claims whose principal id is an API-key principal of the file, naming the claim', () => {
    const taken = new SignIn(
      CONFIG,
      new PrincipalDirectory([{ id: 'a@example.com', roles: ['admin'], apiKeySha256: 'a'.repeat(64) }], file.oidc),
      SESSIONS,
    );
    expect(() => taken.principalOf(session.claims)).toThrow(
      new WorkgateError(
        'principal_id_taken',
        'the "email" claim\'s value "a@example.com" is the id of an API-key principal of the principals file: ' +
          'a signed-in person cannot act as that principal (choose an oidc.principalClaim that cannot clash, e.g. email)',
      ),
    );
  });

  it('lets reads pass and refuses a write without the CSRF token or from another origin', () => {
    const code = (method: string, headers: Record<string, string>) => {
      const refusal = signIn.csrfRefusal(request(method, headers), session);
      return refusal instanceof WorkgateError ? refusal.code : 'passes';
    };
    const origin = 'https://work.example.com';
    expect(code('GET', {})).toBe('passes');
    expect(code('POST', { origin, 'x-csrf-token': session.csrfToken })).toBe('passes');
    expect(code('POST', { origin })).toBe('csrf_refused');
    expect(code('POST', { origin, 'x-csrf-token': `${session.csrfToken}x` })).toBe('csrf_refused');
    expect(code('POST', { 'x-csrf-token': session.csrfToken })).toBe('csrf_refused');
    expect(code('DELETE', { origin: 'https://work.example.com.evil.test', 'x-csrf-token': session.csrfToken })).toBe(
      'csrf_refused',
    );
  });
});
