import type { OpenedAnswer } from '@workgate/contracts';
import { client, clientsFor, TestRole, writePrincipals } from './principals';
import { sharedTestWorkgate, SharedTestWorkgate } from './shared-workgate';

/** A caller of the API with one principal's key. */
export type Client = ReturnType<typeof client>;

/** The principals of the gateway specs: one per role, the integrator named helpdesk. */
export const GATEWAY_PRINCIPALS: Record<string, TestRole[]> = {
  helpdesk: ['integrator'],
  agent: ['operator'],
  lead: ['ops-lead'],
  admin: ['admin'],
  analyst: ['analyst'],
  'support-lead': ['approver'],
};

/** The principals of the integrator contract specs (test/contract/integrator-*.e2e-spec.ts). */
export const INTEGRATOR_PRINCIPALS: Record<string, TestRole[]> = {
  admin: ['admin'],
  helpdesk: ['integrator'],
  agent: ['operator'],
  'support-lead': ['approver'],
};

/** The principals of the approvals specs (test/approvals*.e2e-spec.ts). */
export const APPROVALS_PRINCIPALS: Record<string, TestRole[]> = {
  helpdesk: ['integrator'],
  agent: ['operator'],
  'support-lead': ['approver', 'operator'],
  finance: ['approver'],
  // A requester who may also approve: separation of duties must not rest on roles alone.
  clerk: ['operator', 'approver'],
};

/** A describe block's workgate, its principals and a caller per principal. */
export interface Suite<W> {
  principals: { path: string; keys: Record<string, string> };
  /** A caller per principal id, filled in before the first test. */
  as: Record<string, Client>;
  /** The workgate, started before the first test and closed after the last. */
  readonly t: W;
}

/**
 * Registers the beforeAll / afterAll of a describe block that runs on a workgate `start` starts
 * with the principals `roles` name (written to a principals file of the block's own).
 */
export function onWorkgate<W extends { url: string; close(): Promise<void> }>(
  roles: Record<string, TestRole[]>,
  start: (principals: { path: string; keys: Record<string, string> }) => Promise<W>,
): Suite<W> {
  const principals = writePrincipals(roles);
  const as: Record<string, Client> = {};
  let workgate: W | undefined;
  beforeAll(async () => {
    workgate = await start(principals);
    Object.assign(as, clientsFor(workgate.url, principals.keys));
  });
  afterAll(() => workgate?.close());
  return {
    principals,
    as,
    get t(): W {
      if (!workgate) throw new Error('the workgate is started in beforeAll: read it inside a hook or a test');
      return workgate;
    },
  };
}

/** onWorkgate on the worker's shared workgate (test/support/shared-workgate.ts). */
export function onSharedWorkgate(roles: Record<string, TestRole[]>): Suite<SharedTestWorkgate> {
  return onWorkgate(roles, (principals) => sharedTestWorkgate({ principals }));
}

/**
 * Opens a support-recovery work order from the helpdesk as `as.helpdesk` (read at each call), with
 * the inputs that pass its prerequisites unless `inputs` say (and from `source` when it says).
 */
export const openSupportRecovery =
  (as: Record<string, Client>) =>
  (
    externalRef: string,
    inputs: Record<string, unknown> = { caseId: 'C-1', orderId: '1001', orderPaid: true },
    source = 'helpdesk',
  ) =>
    as.helpdesk<OpenedAnswer>('POST', '/v1/work-orders', {
      jobType: 'support-recovery',
      externalRef,
      source,
      inputs,
    });
