import type { Principal, Role } from './roles';

/** Who holds each role, as a sentence names them ("Only approvers and ops leads can …"). */
const HOLDERS: Record<Role, string> = {
  integrator: 'integrators',
  operator: 'operators',
  approver: 'approvers',
  analyst: 'analysts',
  'ops-lead': 'ops leads',
  admin: 'admins',
};

/** The first words of read routes' summaries that already say what the reader does ("Export the ledger"). */
const READ_VERBS = new Set(['Export', 'List', 'Verify']);

/** `a`, `a <last> b`, `a, b <last> c`. */
const listed = (words: readonly string[], last: 'and' | 'or'): string =>
  words.length < 2 ? (words[0] ?? '') : `${words.slice(0, -1).join(', ')} ${last} ${words[words.length - 1]}`;

/** "Decide an approval" → "decide an approval", "A draft" → "a draft"; a leading acronym ("MCP") stays as it is. */
const lowerFirst = (text: string): string =>
  /^[A-Z](?![A-Z])/.test(text) ? text[0].toLowerCase() + text.slice(1) : text;

/**
 * What a route lets its caller do, in words, from its summary in the API document: a write's
 * summary says it ("Decide an approval" → `decide an approval`), a read's names what is read
 * (`A delegation` → `read a delegation`). A route without a summary is `use this route`.
 */
export function routeAction(summary: string | undefined, isRead: boolean): string {
  if (!summary) return 'use this route';
  const first = summary.split(/[\s:,]/, 1)[0];
  return isRead && !READ_VERBS.has(first) ? `read ${lowerFirst(summary)}` : lowerFirst(summary);
}

/**
 * What a principal without a route's role reads (docs/api.md, Conventions (auth)): what it cannot do
 * and who can, the roles it has, and how to get one that may, e.g. `Only approvers can decide an
 * approval. Your key (agent-7) has the integrator and operator roles: ask an admin to give it the
 * approver role.` A person signed in gets their roles from their groups, so is told to ask for a
 * group mapped to one.
 */
export function roleRefusal(
  roles: readonly Role[],
  action: string,
  principal: Pick<Principal, 'id' | 'roles' | 'signedIn'>,
): string {
  const who = `Only ${listed(
    roles.map((role) => HOLDERS[role]),
    'and',
  )} can ${action}.`;
  const held =
    principal.roles.length === 0
      ? 'no role'
      : `the ${listed(principal.roles, 'and')} role${principal.roles.length > 1 ? 's' : ''}`;
  const wanted = `the ${listed(roles, 'or')} role`;
  return principal.signedIn
    ? `${who} You (${principal.id}) have ${held}: ask an admin to map one of your groups to ${wanted}.`
    : `${who} Your key (${principal.id}) has ${held}: ask an admin to give it ${wanted}.`;
}
