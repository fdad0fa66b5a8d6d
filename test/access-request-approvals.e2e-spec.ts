import type { Browser } from 'playwright-core';
import type { ActionAnswer, ApprovalView, OpenedAnswer, PermittedAction } from '@workgate/contracts';
import { closeContexts, consolePage } from './support/console-page';
import { eventually } from './support/processes';
import { client, clientsFor, writePrincipals } from './support/principals';
import { approvalDecisions, approveSecondInConsole, outcomeReceipt } from './support/two-person';
import { sharedTestWorkgate, SharedTestWorkgate } from './support/shared-workgate';

/**
 * The two-person rule of the shipped access request (workflows/access-request.yaml; docs/policy.md,
 * Two-person approvals): a grant waits for two of the security lead, the compliance officer and the
 * IT ops lead. The IT ops lead who asks for a grant may not approve it, each approver decides once,
 * one approve leaves it waiting ("1 of 2" on the console's card), the second grants it, a rejection
 * by either rejects it, and the receipt of the outcome names both approvers. The work order then
 * closes only with the pattern's closure note beside the evidence of the access end date.
 */
jest.setTimeout(240_000);

describe('the shipped access request: two approvers grant access', () => {
  const principals = writePrincipals({
    'it-ops-lead': ['operator', 'approver'],
    'security-lead': ['approver'],
    'compliance-officer': ['approver'],
    'support-lead': ['approver'],
    portal: ['integrator'],
    lead: ['ops-lead'],
  });
  const problems: string[] = [];
  let t: SharedTestWorkgate;
  let as: Record<string, ReturnType<typeof client>>;
  let browser: Browser;
  const { launch, signIn } = consolePage(() => t.url, principals.keys, problems, /status of 40[349]/);
  const GRANT: PermittedAction = {
    system: 'iam',
    operation: 'access.grant',
    kind: 'write',
    objects: ['account:employee-7'],
  };

  beforeAll(async () => {
    t = await sharedTestWorkgate({ principals });
    as = clientsFor(t.url, principals.keys);
    ({ browser } = await launch());
  }, 240_000);
  afterAll(async () => {
    await closeContexts(browser);
    await t?.close();
  });

  /** An access request the portal opens and the IT ops lead asks a grant on: the approval it waits for. */
  const grantWaiting = async (ref: string) => {
    const opened = await as.portal<OpenedAnswer>('POST', '/v1/work-orders', {
      jobType: 'access-request',
      externalRef: ref,
      source: 'service-portal',
      inputs: {
        requestId: ref,
        requestedFor: 'employee-7',
        resource: 'client-records-db',
        managerApproved: true,
        trainingComplete: true,
      },
    });
    expect(opened.status).toBe(201);
    const wait = await as['it-ops-lead']<ActionAnswer>('POST', `/v1/work-orders/${opened.body.id}/actions`, {
      ...GRANT,
      stepId: 'grant-access',
      facts: { endDate: '2027-03-31' },
      rollbackNote: 'revoke the role',
    });
    expect(wait.body).toMatchObject({ decision: 'wait', rule: 'grants-need-two-approvers' });
    const approvalId = String(wait.body.approvalId);
    await eventually(
      async () => (await as['security-lead']('GET', `/v1/approvals/${approvalId}`)).status === 200,
      10_000,
    );
    return { approvalId, workOrderId: opened.body.id };
  };
  const decide = (who: string, approvalId: string, decision: 'approve' | 'reject') =>
    approvalDecisions(as, GRANT)(who, approvalId, decision);

  it('refuses the requester, counts each approver once, waits at one approve, grants at the second and names both on the receipt', async () => {
    const { approvalId, workOrderId } = await grantWaiting('AR-1');
    const view = await as['security-lead']<ApprovalView>('GET', `/v1/approvals/${approvalId}`);
    expect(view.body).toMatchObject({
      status: 'requested',
      owner: 'security-lead',
      requestedBy: 'it-ops-lead',
      required: 2,
      from: ['security-lead', 'compliance-officer', 'it-ops-lead'],
      approvals: [],
    });

    const self = await decide('it-ops-lead', approvalId, 'approve');
    expect([self.status, self.body.error]).toEqual([403, 'self_approval']);
    const stranger = await decide('support-lead', approvalId, 'approve');
    expect([stranger.status, stranger.body.error]).toEqual([403, 'not_owner']);

    const first = await decide('security-lead', approvalId, 'approve');
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({
      status: 'requested',
      approvals: [{ by: 'security-lead', decision: 'approve' }],
    });
    const again = await decide('security-lead', approvalId, 'approve');
    expect([again.status, again.body.error]).toEqual([409, 'already_decided']);

    // The second approver decides in the console: the card says 1 of 2, and who approved.
    await approveSecondInConsole({
      browser,
      signIn,
      second: 'compliance-officer',
      first: 'security-lead',
      approvalId,
      shot: 'approval-card-access-request',
      read: as['security-lead'],
    });
    expect((await outcomeReceipt(as.lead, workOrderId)).approvers).toEqual(['security-lead', 'compliance-officer']);

    // Each step with its evidence; the grant's is the access end date.
    const endDate = { kind: 'access-end-date', ref: 'iam:employee-7:2027-03-31' };
    for (const [step, evidence] of [
      ['verify-request', { kind: 'identity-check', ref: 'hr:employee-7' }],
      ['assess-risk', { kind: 'risk-assessment', ref: 'sod:AR-1' }],
      ['grant-access', endDate],
      ['confirm', { kind: 'confirmation', ref: 'ticket:AR-1:confirmed' }],
    ] as const)
      expect(
        (
          await as['it-ops-lead']('POST', `/v1/work-orders/${workOrderId}/steps/${step}/complete`, {
            evidence: [evidence],
          })
        ).status,
      ).toBe(200);
    // Closure: the evidence of the end date alone is refused; the pattern's closure note is needed too.
    const short = await as['it-ops-lead']<{ error: string }>('POST', `/v1/work-orders/${workOrderId}/close`, {
      closureEvidenceId: 'closure:AR-1',
      evidence: [endDate],
    });
    expect([short.status, short.body.error]).toEqual([422, 'closure_evidence_required']);
    const closed = await as['it-ops-lead']('POST', `/v1/work-orders/${workOrderId}/close`, {
      closureEvidenceId: 'closure:AR-1',
      evidence: [endDate, { kind: 'closure-note', ref: 'ticket:AR-1:closed' }],
    });
    expect(closed.status).toBe(200);
    expect(problems).toEqual([]);
  });

  it.each<[string, string[]]>([
    ['the first approver', []],
    ['the second approver', ['security-lead']],
  ])('a rejection by %s rejects it', async (_, before) => {
    const { approvalId } = await grantWaiting(`AR-REJECT-${before.length}`);
    for (const who of before) expect((await decide(who, approvalId, 'approve')).status).toBe(200);
    const rejected = await decide('compliance-officer', approvalId, 'reject');
    expect(rejected.status).toBe(200);
    expect(rejected.body).toMatchObject({ status: 'rejected', decidedBy: 'compliance-officer' });
    // Decided: nobody decides it again, whoever decided before.
    for (const who of ['security-lead', 'it-ops-lead'])
      expect([who, (await decide(who, approvalId, 'approve')).body.error]).toEqual([who, 'approval_decided']);
  });
});
