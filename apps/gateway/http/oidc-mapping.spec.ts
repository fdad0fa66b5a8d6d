import { WorkgateError } from '@workgate/contracts';
import { principalOfClaims } from './oidc-mapping';
import { parsePrincipalsFile } from './principals';

const ISSUER = 'https://id.example.com';

describe("the principals file's oidc: block", () => {
  const mapping = parsePrincipalsFile(
    [
      'principals: []',
      'oidc:',
      '  principalClaim: preferred_username',
      '  rolesClaim: groups',
      '  roles:',
      '    wg-approvers: [approver]',
      '    wg-ops: [operator, ops-lead]',
      '',
    ].join('\n'),
    'p.yaml',
  ).oidc!;

  it('maps the principal claim to the id and each group to its roles, in the order of the roles', () => {
    expect(
      principalOfClaims(
        mapping,
        { sub: 'u-1', preferred_username: 'ana', groups: ['wg-ops', 'wg-approvers', 'other'] },
        ISSUER,
      ),
    ).toEqual({ id: 'ana', roles: ['operator', 'approver', 'ops-lead'], signedIn: { issuer: ISSUER, subject: 'u-1' } });
    expect(
      principalOfClaims(mapping, { sub: 'u-2', preferred_username: 'bo', groups: 'wg-approvers' }, ISSUER).roles,
    ).toEqual(['approver']);
  });

  it('refuses claims that map to no role (403 naming the claim) or carry no principal (401)', () => {
    const refusal = (claims: Record<string, unknown>) => {
      try {
        principalOfClaims(mapping, claims, ISSUER);
      } catch (error) {
        return error instanceof WorkgateError ? { code: error.code, message: error.message } : error;
      }
    };
    expect(refusal({ preferred_username: 'ana', groups: ['everyone'] })).toEqual({
      code: 'no_mapped_role',
      message: 'no value of the "groups" claim maps to a workgate role (the principals file\'s oidc.roles)',
    });
    expect(refusal({ preferred_username: 'ana' })).toMatchObject({ code: 'no_mapped_role' });
    expect(refusal({ sub: 'x', groups: ['wg-ops'] })).toMatchObject({ code: 'bad_token' });
    expect(refusal({ preferred_username: 'has space', groups: ['wg-ops'] })).toMatchObject({ code: 'bad_token' });
  });

  it('lists every problem of the block at once, each with its path', () => {
    const text = [
      'principals: []',
      'oidc:',
      '  principalClaim: ""',
      '  rolesClaim: groups',
      '  scopes: [openid]',
      '  roles:',
      '    wg-a: [approver, root]',
      '    wg-b: []',
      '    wg-c: [analyst, analyst]',
      '',
    ].join('\n');
    expect(() => parsePrincipalsFile(text, 'p.yaml')).toThrow(
      [
        'invalid principals file p.yaml:',
        '  - oidc: unknown key "scopes" (expected principalClaim, rolesClaim, roles)',
        '  - oidc.principalClaim: must be a claim name (letters, digits, _ . : -), e.g. preferred_username',
        '  - oidc.roles.wg-a[1]: unknown role "root" (roles: integrator, operator, approver, analyst, ops-lead, admin)',
        '  - oidc.roles.wg-b: must be a non-empty list of roles (integrator, operator, approver, analyst, ops-lead, admin)',
        '  - oidc.roles.wg-c[1]: role "analyst" is listed twice',
      ].join('\n'),
    );
    expect(() => parsePrincipalsFile('principals: []\noidc: yes\n', 'p.yaml')).toThrow(
      'oidc: must be a mapping with principalClaim, rolesClaim and roles',
    );
    expect(parsePrincipalsFile('principals: []\n', 'p.yaml').oidc).toBeUndefined();
  });
});
