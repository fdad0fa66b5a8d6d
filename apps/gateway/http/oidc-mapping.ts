import { isPlainObject, WorkgateError } from '@workgate/contracts';
import { isRole, Principal, Role, ROLES, SignedIn } from './roles';

/**
 * How a signed-in person becomes a principal (the principals file's `oidc:` block,
 * docs/sign-in.md, In workgate): the id is the `principalClaim`'s value, the roles those `roles` maps the `rolesClaim`'s
 * values (groups) to.
 */
export interface OidcMapping {
  readonly principalClaim: string;
  readonly rolesClaim: string;
  readonly roles: ReadonlyMap<string, readonly Role[]>;
}

const CLAIM = /^[A-Za-z0-9_.:-]{1,100}$/;
const ID_PATTERN = /^[^\s]{1,200}$/;
const KEYS = ['principalClaim', 'rolesClaim', 'roles'];

/** The validated `oidc:` block of the principals file; its problems are added to `problems`, each with its path. */
export function parseOidcMapping(raw: unknown, problems: string[]): OidcMapping | undefined {
  if (!isPlainObject(raw)) {
    problems.push('oidc: must be a mapping with principalClaim, rolesClaim and roles');
    return undefined;
  }
  const before = problems.length;
  for (const key of Object.keys(raw))
    if (!KEYS.includes(key)) problems.push(`oidc: unknown key "${key}" (expected ${KEYS.join(', ')})`);
  for (const key of ['principalClaim', 'rolesClaim'] as const) {
    const value = raw[key];
    if (typeof value !== 'string' || !CLAIM.test(value))
      problems.push(`oidc.${key}: must be a claim name (letters, digits, _ . : -), e.g. ${EXAMPLES[key]}`);
  }
  const roles = new Map<string, Role[]>();
  if (!isPlainObject(raw.roles) || Object.keys(raw.roles).length === 0) {
    problems.push('oidc.roles: must map each group to a list of roles, e.g. { workgate-approvers: [approver] }');
  } else {
    for (const [group, list] of Object.entries(raw.roles)) {
      const at = `oidc.roles.${group}`;
      if (!Array.isArray(list) || list.length === 0) {
        problems.push(`${at}: must be a non-empty list of roles (${ROLES.join(', ')})`);
        continue;
      }
      const mapped: Role[] = [];
      list.forEach((role: unknown, i) => {
        if (!isRole(role))
          problems.push(`${at}[${i}]: unknown role ${JSON.stringify(role)} (roles: ${ROLES.join(', ')})`);
        else if (mapped.includes(role)) problems.push(`${at}[${i}]: role "${role}" is listed twice`);
        else mapped.push(role);
      });
      roles.set(group, mapped);
    }
  }
  if (problems.length > before) return undefined;
  return { principalClaim: String(raw.principalClaim), rolesClaim: String(raw.rolesClaim), roles };
}

const EXAMPLES = { principalClaim: 'preferred_username', rolesClaim: 'groups' };

/** The values of a roles claim: a list of strings, or one string. */
function claimValues(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

/**
 * The principal of verified claims: 401 `bad_token` without a usable principal claim, 403
 * `no_mapped_role` (naming the claim) when no value of the roles claim maps to a role.
 */
export function principalOfClaims(
  mapping: OidcMapping,
  claims: Record<string, unknown>,
  issuer: string,
): Principal & { signedIn: SignedIn } {
  const id = claims[mapping.principalClaim];
  if (typeof id !== 'string' || !ID_PATTERN.test(id))
    throw new WorkgateError(
      'bad_token',
      `the token has no usable "${mapping.principalClaim}" claim (the principal id)`,
    );
  const roles = new Set<Role>();
  for (const group of claimValues(claims[mapping.rolesClaim]))
    for (const role of mapping.roles.get(group) ?? []) roles.add(role);
  if (roles.size === 0)
    throw new WorkgateError(
      'no_mapped_role',
      `no value of the "${mapping.rolesClaim}" claim maps to a workgate role (the principals file's oidc.roles)`,
    );
  const subject = typeof claims.sub === 'string' ? claims.sub : id;
  return { id, roles: ROLES.filter((r) => roles.has(r)), signedIn: { issuer, subject } };
}
