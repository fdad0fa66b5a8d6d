import { Evidence, PermittedAction } from '@workgate/contracts';
import { specify } from '../spec-support';
import { ApprovalCommand, ApprovalEvent, approvals } from './approval.decider';

/** The conditions of a conditional approval: who may meet and close them, and with what evidence. */
const T0 = '2026-11-22T10:00:00.000Z';
const refund: PermittedAction = { system: 'payments', operation: 'refund', kind: 'write', objects: ['order:1001'] };
const request: ApprovalCommand = {
  type: 'RequestApproval',
  approvalId: 'ap-1',
  workOrderId: 'wo-1',
  actionId: 'act-1',
  owner: 'support-lead',
  requestedBy: 'agent-7',
  action: refund,
  expiresAt: '2026-11-23T10:00:00.000Z',
};
const evidence = { kind: 'policy-doc', ref: 'retention-v2' };

const spec = specify(approvals, () => ({ now: T0 }));
const given = (...commands: ApprovalCommand[]) => spec.given(...spec.history(...commands));

describe('approval conditions', () => {
  describe('separation of duties (docs/api.md, Approvals)', () => {
    const withOwner = (owner: string): ApprovalCommand => ({
      type: 'DecideApproval',
      by: 'support-lead',
      decision: 'conditional',
      permittedAction: refund,
      conditions: ['cap confirmed', { title: 'customer called back', owner }],
    });
    it('refuses a condition owned by the requester, naming the field', () =>
      given(request)
        .when(withOwner(' agent-7 '))
        .thenThrows('validation_failed', {
          details: [
            {
              path: 'conditions[1].owner',
              message:
                'is the requester (agent-7): a condition of a request is met by someone other than its requester',
            },
          ],
        }));
    it('refuses the requester closing a condition of its own request (self_approval), whoever owns it', () => {
      given(request, withOwner('dpo'))
        .when({ type: 'CloseCondition', by: 'agent-7', conditionId: 'c2', evidence: [evidence] })
        .thenThrows('self_approval');
      given(request, withOwner('dpo'))
        .when({ type: 'CloseCondition', by: 'agent-7', conditionId: 'c1', evidence: [evidence] })
        .thenThrows('self_approval');
    });
    it('refuses the requester closing a condition recorded with the requester as its owner', () => {
      const [requested] = spec.history(request);
      const conditioned: ApprovalEvent = {
        type: 'ApprovalConditioned',
        data: {
          approvalId: 'ap-1',
          decidedBy: 'support-lead',
          permittedAction: refund,
          conditions: [{ conditionId: 'c1', text: 'customer called back', owner: 'agent-7', closed: false }],
          at: T0,
        },
      };
      spec
        .given(requested, conditioned)
        .when({ type: 'CloseCondition', by: 'agent-7', conditionId: 'c1', evidence: [evidence] })
        .thenThrows('self_approval');
    });
  });

  describe('evidence of a closed condition (docs/api.md, Evidence)', () => {
    const conditional: ApprovalCommand = {
      type: 'DecideApproval',
      by: 'support-lead',
      decision: 'conditional',
      permittedAction: refund,
      conditions: ['R-03 retention policy signed'],
    };
    const close = (evidence: Evidence | Evidence[]): ApprovalCommand => ({
      type: 'CloseCondition',
      by: 'support-lead',
      conditionId: 'c1',
      evidence,
    });
    const second = { kind: 'email', ref: 'msg-42', private: true };
    it('records a list as given, and one object as a list of one', () => {
      given(request, conditional)
        .when(close([evidence, second]))
        .then(['ApprovalConditionClosed', 'ApprovalGranted'], ([closed]) =>
          expect(closed.data).toMatchObject({ evidence: [evidence, second] }),
        );
      given(request, conditional)
        .when(close(evidence))
        .then(['ApprovalConditionClosed', 'ApprovalGranted'], ([closed]) =>
          expect(closed.data).toMatchObject({ evidence: [evidence] }),
        );
    });
    it('refuses an empty list and items without kind or ref, naming each', () => {
      given(request, conditional)
        .when(close([]))
        .thenThrows('validation_failed', {
          details: [{ path: 'evidence', message: 'closing a condition needs at least one piece of evidence' }],
        });
      given(request, conditional)
        .when(close([evidence, { kind: 'email', ref: ' ' }]))
        .thenThrows('validation_failed', { details: [{ path: 'evidence[1].ref', message: 'is required' }] });
    });
  });
});
