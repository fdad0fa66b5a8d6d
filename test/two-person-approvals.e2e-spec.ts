import type { Browser } from 'playwright-core';
import type { ActionAnswer, ApprovalView, OpenedAnswer, PermittedAction } from '@workgate/contracts';
import { closeContexts, consolePage } from './support/console-page';
import { eventually } from './support/processes';
import { client, clientsFor, writePrincipals } from './support/principals';
import { approvalDecisions, approveSecondInConsole, outcomeReceipt } from './support/two-person';
import { sharedTestWorkgate, SharedTestWorkgate } from './support/shared-workgate';

/**
 * Two-person approvals over HTTP and in the console (docs/policy.md, Two-person approvals): a
 * refund waits for two of ana, ben and the agent itself; the agent may never decide it, each
 * approver decides once, one approve leaves it waiting, the second grants it, a rejection by
 * either rejects it, and the receipt of the outcome names both approvers.
 */
jest.setTimeout(240_000);

describe('an approval of two approvers', () => {
  const principals = writePrincipals({
    agent: ['integrator', 'operator', 'approver'],
    admin: ['admin'],
    ana: ['approver'],
    ben: ['approver'],
    cy: ['approver'],
    lead: ['ops-lead'],
  });
  const problems: string[] = [];
  let t: SharedTestWorkgate;
  let as: Record<string, ReturnType<typeof client>>;
  let browser: Browser;
  const { launch, signIn } = consolePage(() => t.url, principals.keys, problems, /status of 40[349]/);
  const REFUND: PermittedAction = { system: 'payments', operation: 'refund', kind: 'write', objects: ['order:7'] };

  beforeAll(async () => {
    t = await sharedTestWorkgate({ principals });
    as = clientsFor(t.url, principals.keys);
    const published = await as.admin('POST', '/v1/workflows', {
      jobType: 'two-person-refunds',
      version: 1,
      title: 'Refunds two people approve',
      owner: 'ana',
      systems: [{ name: 'payments', read: true, write: ['refund'] }],
      rules: [
        {
          id: 'refunds-need-two',
          when: 'action.system == "payments" && action.operation == "refund"',
          decision: 'wait',
          approvals: { required: 2, from: ['ana', 'ben', 'agent'] },
        },
      ],
    });
    expect(published.status).toBe(201);
    ({ browser } = await launch());
  }, 240_000);
  afterAll(async () => {
    await closeContexts(browser);
    await t?.close();
  });

  /** A refund the agent asks for: the approval it waits for, once the approvals service has it. */
  const refundWaiting = async (ref: string) => {
    const opened = await as.agent<OpenedAnswer>('POST', '/v1/work-orders', {
      jobType: 'two-person-refunds',
      externalRef: ref,
      source: 'agent',
      inputs: {},
    });
    expect(opened.status).toBe(201);
    const wait = await as.agent<ActionAnswer>('POST', `/v1/work-orders/${opened.body.id}/actions`, REFUND);
    expect(wait.status).toBe(201);
    const approvalId = String(wait.body.approvalId);
    await eventually(async () => (await as.ana('GET', `/v1/approvals/${approvalId}`)).status === 200, 10_000);
    return { approvalId, workOrderId: opened.body.id };
  };
  const decide = (who: string, approvalId: string, decision: 'approve' | 'reject') =>
    approvalDecisions(as, REFUND)(who, approvalId, decision);

  it('refuses the requester, counts each approver once, waits at one approve and is granted at the second', async () => {
    const { approvalId, workOrderId } = await refundWaiting('TWO-1');
    const view = await as.ana<ApprovalView>('GET', `/v1/approvals/${approvalId}`);
    expect(view.body).toMatchObject({ status: 'requested', required: 2, from: ['ana', 'ben', 'agent'], approvals: [] });

    const self = await decide('agent', approvalId, 'approve');
    expect([self.status, self.body.error]).toEqual([403, 'self_approval']);
    const stranger = await decide('cy', approvalId, 'approve');
    expect([stranger.status, stranger.body.error]).toEqual([403, 'not_owner']);

    const first = await decide('ana', approvalId, 'approve');
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({
      status: 'requested',
      required: 2,
      approvals: [{ by: 'ana', decision: 'approve' }],
    });
    const again = await decide('ana', approvalId, 'approve');
    expect([again.status, again.body.error]).toEqual([409, 'already_decided']);
    expect(again.body.message).toMatch(
      /ana already decided approval .*each approver decides once; it needs 2 distinct approvers/,
    );

    // The second approver decides in the console: the card says 1 of 2, and who approved.
    await approveSecondInConsole({
      browser,
      signIn,
      second: 'ben',
      first: 'ana',
      approvalId,
      shot: 'approval-card-two-person',
      read: as.ana,
    });
    const granted = await as.ana<ApprovalView>('GET', `/v1/approvals/${approvalId}`);
    expect(granted.body.approvals?.map((a) => [a.by, a.decision])).toEqual([
      ['ana', 'approve'],
      ['ben', 'approve'],
    ]);

    // The receipt of the outcome names both approvers.
    expect((await outcomeReceipt(as.lead, workOrderId)).approvers).toEqual(['ana', 'ben']);
    expect(problems).toEqual([]);
  });

  it.each<[string, string[]]>([
    ['the first approver', []],
    ['the second approver', ['ana']],
  ])('a rejection by %s rejects it', async (_, before) => {
    const { approvalId } = await refundWaiting(`TWO-REJECT-${before.length}`);
    for (const who of before) expect((await decide(who, approvalId, 'approve')).status).toBe(200);
    const rejected = await decide('ben', approvalId, 'reject');
    expect(rejected.status).toBe(200);
    expect(rejected.body).toMatchObject({ status: 'rejected', decidedBy: 'ben' });
    expect((await decide('ana', approvalId, 'approve')).body.error).toBe('approval_decided');
  });
});
