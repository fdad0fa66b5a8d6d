import type {
  ActionAnswer,
  ApprovalView,
  OpenedAnswer,
  WorkflowChangeRequested,
  WorkflowDefinition,
  WorkflowVersion,
} from '@workgate/contracts';
import * as changes from '../../libs/contracts/schemas/workflow-change.schemas';
import { replyOf } from './replies';
import { clientsFor, writePrincipals } from './principals';

/** The 202 answer of a publish that widens a version: the change its owner (or reviewers) decide. */
export const requested = (body: unknown): WorkflowChangeRequested => replyOf(changes.WorkflowChangeRequested, body);

/** v1: the shop may be read, not written. */
export const v1: WorkflowDefinition = {
  jobType: 'wc-desk',
  version: 1,
  title: 'Desk change',
  owner: 'wc-lead',
  systems: [{ name: 'shop', read: true, write: [] }],
};
export const withWrites = (version: number, write: string[]): WorkflowDefinition => ({
  ...v1,
  version,
  systems: [{ name: 'shop', read: true, write }],
});
export const note = { system: 'shop', operation: 'order.note', kind: 'write' };

/**
 * The principals of the workflow-change files. The workgate may be shared with other files: the
 * workflows and their owner (wc-*) are these files' alone, and each looks up its own changes by id.
 */
export const workflowChangePrincipals = () =>
  writePrincipals({
    helpdesk: ['integrator'],
    agent: ['operator'],
    'wc-lead': ['approver'],
    'other-lead': ['approver'],
    // The proposer can approve other things, never their own change.
    'change-admin': ['admin', 'approver'],
    // Owns a workflow and may publish and approve: its own changes go to the other admin approvers.
    'lead-admin': ['admin', 'approver'],
  });

/** The clients of those principals, and the calls the files share. */
export function workflowChangeClients(url: string, keys: Record<string, string>) {
  const as = clientsFor(url, keys);
  const publish = (d: WorkflowDefinition) => as['change-admin']<unknown>('POST', '/v1/workflows', d);
  const current = async () => (await as['change-admin']<WorkflowVersion>('GET', '/v1/workflows/wc-desk')).body.version;
  const open = async (ref: string) =>
    (
      await as.helpdesk<OpenedAnswer>('POST', '/v1/work-orders', {
        jobType: 'wc-desk',
        externalRef: ref,
        source: 'helpdesk',
        inputs: {},
      })
    ).body.id;
  const act = async (id: string, action = note) =>
    (await as.agent<ActionAnswer>('POST', `/v1/work-orders/${id}/actions`, action)).body;
  const decide = (who: string, approvalId: string, body: object) =>
    as[who]<ApprovalView>('POST', `/v1/approvals/${approvalId}/decision`, body);
  return { as, publish, current, open, act, decide };
}

export type WorkflowChangeClients = ReturnType<typeof workflowChangeClients>;
