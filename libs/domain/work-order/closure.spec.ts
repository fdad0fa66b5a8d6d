import { WorkOrderCommand } from './commands';
import { given, open, orderNote, refund } from './work-order.fixtures';

const steps: WorkOrderCommand[] = [
  { type: 'CompleteStep', stepId: 'inspect', evidence: [] },
  { type: 'CompleteStep', stepId: 'update-order', evidence: [{ kind: 'receipt', ref: 'r' }] },
];
const close = (evidence = [{ kind: 'closure-note', ref: 'n-1' }], closureEvidenceId = 'CE-1'): WorkOrderCommand => ({
  type: 'CloseWorkOrder',
  closureEvidenceId,
  evidence,
});
const reported: WorkOrderCommand = { type: 'ReportClosure' };

describe('closure', () => {
  it('closes with closure evidence and no blockers', () =>
    given(open, ...steps)
      .when(close())
      .then(['WorkOrderClosed'], (_, s) => expect(s.status).toBe('closed')));
  it('refuses without closureEvidenceId', () =>
    given(open, ...steps)
      .when(close(undefined, ''))
      .thenThrows('closure_evidence_required', {
        message: 'closing wo-1 needs a closureEvidenceId',
        details: [{ field: 'closureEvidenceId', message: 'is required' }],
      }));
  it('refuses without the required evidence kinds', () =>
    given(open, ...steps)
      .when(close([]))
      .thenThrows('closure_evidence_required', { message: 'closing wo-1 needs evidence of kind closure-note' }));
  it('refuses with incomplete steps', () =>
    given(open)
      .when(close())
      .thenThrows('open_blockers', {
        details: ['step inspect is not completed', 'step update-order is not completed'],
      }));
  it('refuses with an open exception', () =>
    given(open, ...steps, {
      type: 'BlockStep',
      stepId: 'inspect',
      code: 'CUSTOMER_UNREACHABLE',
      rationale: 'x',
    })
      .when(close())
      .thenThrows('open_blockers'));
  it('refuses with a pending approval', () =>
    given(open, ...steps, refund)
      .when(close())
      .thenThrows('open_blockers'));
  it('refuses closing twice', () =>
    given(open, ...steps, close())
      .when(close())
      .thenThrows('work_order_closed'));

  it('records a closure reported by the source even without evidence, flagged', () =>
    given(open)
      .when(reported)
      .then(['WorkOrderClosureReported'], ([e], s) => {
        expect(e.data).toMatchObject({
          evidenceMissing: true,
          openBlockers: ['step inspect is not completed', 'step update-order is not completed'],
        });
        expect(s.status).toBe('closed');
      }));
  it('reopens a closed work order, and refuses reopening an open one', () => {
    given(open, reported)
      .when({ type: 'ReopenWorkOrder', reason: 'customer called back' })
      .then(['WorkOrderReopened'], (_, s) => {
        expect(s).toMatchObject({ status: 'open', reopened: 1 });
        expect(s).not.toHaveProperty('closure');
      });
    given(open).when({ type: 'ReopenWorkOrder', reason: 'x' }).thenThrows('work_order_not_closed');
  });
  it('refuses work on a closed work order', () => {
    const closed = given(open, reported);
    closed.when(orderNote).thenThrows('work_order_closed');
    closed.when(steps[0]).thenThrows('work_order_closed');
  });
});
