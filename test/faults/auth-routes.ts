import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ActionAnswer, OpenedAnswer } from '@workgate/contracts';
import { defined } from '../support/answers';
import { eventually } from '../support/processes';
import { client } from '../support/principals';
import { fillPath, Role, ROLES } from './http-routes';

/** The routes the auth matrix calls, how it calls them, and the roles the docs list for each. */

export type Call = ReturnType<typeof client>;

/** What the docs' route tables say each route accepts (the roles as they name them): `undefined` for "any". */
export function documentedRoles(): Map<string, readonly string[] | undefined> {
  const out = new Map<string, readonly string[] | undefined>();
  for (const line of readFileSync(join(__dirname, '..', '..', 'docs', 'api.md'), 'utf8').split('\n')) {
    const cells = line.split(/(?<!\\)\|/).map((c) => c.trim());
    const paths = [...(cells[1] ?? '').matchAll(/`([^`]+)`/g)].map((m) => m[1]);
    const method = /^(GET|POST|PUT|PATCH|DELETE) \//.exec(paths[0] ?? '')?.[1];
    if (!method || !paths[0].includes(' /v1/')) continue;
    const roles = cells[2]
      .replace(/\(.*\)/, '')
      .split(',')
      .map((r) => r.trim());
    for (const raw of paths) {
      const path = raw
        .replace(/^[A-Z]+ /, '')
        .replace(/\?.*$/, '')
        .replace(/:[A-Za-z]+/g, '{}');
      out.set(`${method} ${path}`, roles.includes('any') ? undefined : roles);
    }
  }
  return out;
}

/** The one /v1 route anyone may call: the verifier key of the ledger's checkpoints. */
export const PUBLIC_V1 = ['GET /v1', 'GET /v1/ledger/key'];

/** Any value fits a path parameter here: the guard answers before pipes and handlers run. */
export const pathOf = (route: { path: string; params: string[] }) =>
  fillPath(route.path, Object.fromEntries(route.params.map((p) => [p, p === 'version' ? '1' : randomUUID()])));

export const send = (call: Call, route: { method: string; path: string; params: string[] }) =>
  call(route.method, pathOf(route), route.method === 'GET' ? undefined : {});

/** One principal per single role, one per route role set holding every other role, and the approvals' people. */
export function matrixRoleSets(restricted: ReadonlyArray<{ roles: readonly Role[] }>): Record<string, Role[]> {
  // One principal per single role, and one per route role set holding every other role.
  const complements = [...new Set(restricted.map((r) => r.roles.join('+')))];
  return {
    ...Object.fromEntries(ROLES.map((role) => [`only-${role}`, [role]])),
    ...Object.fromEntries(
      complements.map((set) => [`none-of-${set}`, ROLES.filter((role) => !set.split('+').includes(role))]),
    ),
    helpdesk: ['integrator', 'operator'],
    'support-lead': ['operator', 'approver'],
    'other-approver': ['approver'],
  };
}

/** The refund the approvals tests ask for. */
export const REFUND = { system: 'payments', operation: 'refund', kind: 'write' };
/** A support-recovery refund requested by `requester`: it waits for support-lead. */
export async function refundFor(as: Record<string, Call>, requester: string, externalRef: string): Promise<string> {
  const opened = await as.helpdesk<OpenedAnswer>('POST', '/v1/work-orders', {
    jobType: 'support-recovery',
    externalRef,
    source: 'auth',
    inputs: { caseId: 'C-1', orderId: '1', orderPaid: true },
  });
  expect(opened.status).toBe(201);
  const wait = await as[requester]<ActionAnswer>('POST', `/v1/work-orders/${opened.body.id}/actions`, {
    ...REFUND,
    facts: { amount: 20 },
  });
  expect(wait).toMatchObject({
    status: 201,
    body: { decision: 'wait', decisionOwner: 'support-lead', approvalId: expect.any(String) },
  });
  const approvalId = defined(wait.body.approvalId, 'approval id');
  // The approvals service opens it from the ledger, a moment after the decision.
  await eventually(
    async () => (await as['support-lead']('GET', `/v1/approvals/${approvalId}`)).status === 200,
    10_000,
    `approval ${approvalId}`,
  );
  return approvalId;
}
