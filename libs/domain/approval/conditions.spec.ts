import { Evidence } from '@workgate/contracts';
import { ApprovalCommand, ApprovalEvent } from './approval.decider';
import { evidence, given, refund, request, spec, T0 } from './approval.fixtures';

/** The conditions of a conditional approval: who may meet and close them, and with what evidence. */
describe('approval conditions', () => {
  describe('separation of duties (docs/api.md, What the commands record)', () => {
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

  describe('evidence of a closed condition (docs/api.md, Conventions (evidence))', () => {
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
