/** The approval specifications' shared request: a refund agent-7 asks for, support-lead decides. */
import { PermittedAction } from '@workgate/contracts';
import { specify } from '../spec-support';
import { ApprovalCommand, approvals } from './approval.decider';

export const T0 = '2026-11-22T10:00:00.000Z';
export const LATER = '2026-11-23T10:00:00.000Z';
export const refund: PermittedAction = {
  system: 'payments',
  operation: 'refund',
  kind: 'write',
  objects: ['order:1001'],
};
export const request: Extract<ApprovalCommand, { type: 'RequestApproval' }> = {
  type: 'RequestApproval',
  approvalId: 'ap-1',
  workOrderId: 'wo-1',
  actionId: 'act-1',
  owner: 'support-lead',
  requestedBy: 'agent-7',
  action: refund,
  expiresAt: LATER,
};
export const evidence = { kind: 'policy-doc', ref: 'retention-v2' };

/** given(commands' events) -> when(command, now) -> then(event types) | thenThrows(code) */
export const spec = specify(approvals, () => ({ now: T0 }));
export const given = (...commands: ApprovalCommand[]) => spec.given(...spec.history(...commands));
