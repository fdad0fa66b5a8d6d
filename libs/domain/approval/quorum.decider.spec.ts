import { PermittedAction } from '@workgate/contracts';
import { ApprovalCommand } from './approval.decider';
import { evidence, given, LATER, refund, request } from './approval.fixtures';
import { permittedActionSha256 } from './quorum';

/** A refund two of three approvers must approve (docs/policy.md, Two-person approvals). */
const twoOf = { ...request, required: 2, from: ['support-lead', 'finance-lead', 'ops-lead'] };

const decide = (
  by: string,
  decision: 'approve' | 'reject' | 'conditional' = 'approve',
  more: Partial<Extract<ApprovalCommand, { type: 'DecideApproval' }>> = {},
): ApprovalCommand => ({
  type: 'DecideApproval',
  by,
  decision,
  ...(decision === 'reject' ? {} : { permittedAction: refund }),
  ...more,
});
const close = (by: string, conditionId: string): ApprovalCommand => ({
  type: 'CloseCondition',
  by,
  conditionId,
  evidence,
});

describe('approval decider: several approvers', () => {
  it('records who may approve and how many must', () =>
    given()
      .when(twoOf)
      .then(['ApprovalRequested'], ([e]) =>
        expect(e.data).toMatchObject({ required: 2, from: ['support-lead', 'finance-lead', 'ops-lead'] }),
      ));

  it('one approve leaves it requested, with that approver listed', () =>
    given(twoOf)
      .when(decide('finance-lead'))
      .then(['ApprovalDecisionRecorded'], (_, s) => {
        expect(s.status).toBe('requested');
        expect(s.status !== 'none' && s.decisions?.map((d) => [d.by, d.decision])).toEqual([
          ['finance-lead', 'approve'],
        ]);
      }));

  it('a second distinct approver grants it, naming both', () =>
    given(twoOf, decide('finance-lead'))
      .when(decide('ops-lead'))
      .then(['ApprovalDecisionRecorded', 'ApprovalGranted'], ([, granted], s) => {
        expect(s.status).toBe('approved');
        expect(granted.data).toMatchObject({ decidedBy: 'ops-lead', approvers: ['finance-lead', 'ops-lead'] });
      }));

  it('refuses the same approver twice (409 already_decided), saying each decides once', () =>
    given(twoOf, decide('finance-lead'))
      .when(decide('finance-lead'))
      .thenThrows('already_decided', {
        message:
          /finance-lead already decided approval ap-1 \(approve, .*\): each approver decides once; it needs 2 distinct approvers/,
      }));

  it('refuses the requester (403 self_approval), even when named in from', () =>
    given({ ...twoOf, from: [...twoOf.from, 'agent-7'] })
      .when(decide('agent-7'))
      .thenThrows('self_approval'));

  it('refuses anyone not named in from (403 not_owner), naming who may', () =>
    given(twoOf)
      .when(decide('someone-else'))
      .thenThrows('not_owner', { message: 'only support-lead, finance-lead, ops-lead decides approval ap-1' }));

  it.each(['first', 'second'])('a rejection by the %s approver rejects it at once', (which) => {
    const before = which === 'first' ? [twoOf] : [twoOf, decide('finance-lead')];
    given(...before)
      .when(decide('ops-lead', 'reject', { note: 'no' }))
      .then(['ApprovalDecisionRecorded', 'ApprovalRejected'], ([, rejected], s) => {
        expect(s.status).toBe('rejected');
        expect(rejected.data).toMatchObject({ decidedBy: 'ops-lead', note: 'no' });
      });
  });

  it('refuses a decision once decided (409 approval_decided)', () =>
    given(twoOf, decide('finance-lead'), decide('ops-lead'))
      .when(decide('support-lead'))
      .thenThrows('approval_decided'));

  it('refuses a second approver naming another permitted action than the first (422 permitted_action_mismatch)', () => {
    const call = { ...request, required: 2, from: twoOf.from, action: { ...refund, argumentsSha256: 'a'.repeat(64) } };
    const exact: PermittedAction = { ...refund, argumentsSha256: 'a'.repeat(64) };
    given(call, decide('finance-lead', 'approve', { permittedAction: exact }))
      .when(decide('ops-lead', 'approve', { permittedAction: refund }))
      .thenThrows('permitted_action_mismatch', {
        message: new RegExp(`every approver permits the same action: .*sha256 ${permittedActionSha256(exact)}`),
      });
  });

  it('expires as any approval does while fewer than required approved', () =>
    given(twoOf, decide('finance-lead'))
      .when({ type: 'ExpireApproval' }, { now: LATER })
      .then(['ApprovalExpired'], (_, s) => expect(s.status).toBe('expired')));

  it('a conditional decision counts once its conditions close', () => {
    given(twoOf, decide('finance-lead', 'conditional', { conditions: ['Attach the invoice'] }))
      .when(decide('ops-lead'))
      .then(['ApprovalDecisionRecorded', 'ApprovalConditioned'], ([, conditioned], s) => {
        expect(s.status).toBe('conditional');
        expect(conditioned.data).toMatchObject({
          conditions: [{ conditionId: 'c1', text: 'Attach the invoice', owner: 'finance-lead', closed: false }],
        });
      });
    given(twoOf, decide('finance-lead', 'conditional', { conditions: ['Attach the invoice'] }), decide('ops-lead'))
      .when(close('finance-lead', 'c1'))
      .then(['ApprovalConditionClosed', 'ApprovalGranted'], ([, granted]) =>
        expect(granted.data).toMatchObject({ approvers: ['finance-lead', 'ops-lead'] }),
      );
  });

  it('numbers a second approver’s conditions after the first one’s', () =>
    given(twoOf, decide('finance-lead', 'conditional', { conditions: ['One'] }))
      .when(decide('ops-lead', 'conditional', { conditions: ['Two'] }))
      .then(['ApprovalDecisionRecorded', 'ApprovalConditioned'], ([, conditioned]) =>
        expect(conditioned.data).toMatchObject({
          conditions: [
            { conditionId: 'c1', text: 'One', owner: 'finance-lead' },
            { conditionId: 'c2', text: 'Two', owner: 'ops-lead' },
          ],
        }),
      ));

  it('required 1 of a list: any one of them grants it', () =>
    given({ ...twoOf, required: 1 })
      .when(decide('support-lead'))
      .then(['ApprovalDecisionRecorded', 'ApprovalGranted']));
});
