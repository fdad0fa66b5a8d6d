import { roleRefusal, routeAction } from './role-refusal';

/** The 403 `forbidden` message (docs/api.md, Conventions (auth)): what the caller cannot do, who can, and what to ask for. */
describe('role refusal', () => {
  it('says what an API key cannot do, who can, its roles and the role to ask an admin for', () => {
    expect(roleRefusal(['approver'], 'decide an approval', { id: 'agent-7', roles: ['integrator', 'operator'] })).toBe(
      'Only approvers can decide an approval. Your key (agent-7) has the integrator and operator roles: ask an admin to give it the approver role.',
    );
  });

  it('names several roles with "and" for who can and "or" for what to ask for, and a key with no role', () => {
    expect(
      roleRefusal(['approver', 'ops-lead', 'operator'], 'read the approval queue', { id: 'watcher', roles: [] }),
    ).toBe(
      'Only approvers, ops leads and operators can read the approval queue. Your key (watcher) has no role: ask an admin to give it the approver, ops-lead or operator role.',
    );
  });

  it('tells a person signed in to ask for one of their groups to be mapped, since their roles come from groups', () => {
    const person = {
      id: 'lee',
      roles: ['analyst' as const],
      signedIn: { issuer: 'https://id.example', subject: 's-1' },
    };
    expect(roleRefusal(['admin'], 'publish a workflow version', person)).toBe(
      'Only admins can publish a workflow version. You (lee) have the analyst role: ask an admin to map one of your groups to the admin role.',
    );
  });

  it("words a route's action from its summary: a write's as it is, a read's after \"read\"", () => {
    expect(routeAction('Decide an approval', false)).toBe('decide an approval');
    expect(routeAction('A draft', true)).toBe('read a draft');
    expect(routeAction("A work order's decisions", true)).toBe("read a work order's decisions");
    expect(routeAction('Export the ledger', true)).toBe('export the ledger');
    expect(routeAction('MCP tools of a work order', true)).toBe('read MCP tools of a work order');
    expect(routeAction(undefined, false)).toBe('use this route');
  });
});
