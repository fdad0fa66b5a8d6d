import { eventually } from './support/processes';
import { client, clientsFor, writePrincipals } from './support/principals';
import { startTestWorkgate, TestWorkgate } from './support/workgate';
import type { ActionAnswer, ApprovalView, OpenedAnswer } from '@workgate/contracts';

/**
 * Conditions of a conditional approval (docs/api.md, Approvals): separation of duties (a condition
 * is never met by the requester: its owner may not be the requester, 422; the requester's close is
 * 403 `self_approval`) and evidence as one object or a list.
 */
describe('approval conditions over HTTP', () => {
  let t: TestWorkgate;
  const principals = writePrincipals({
    helpdesk: ['integrator'],
    // The requester may also approve: separation of duties must not rest on roles alone.
    clerk: ['operator', 'approver'],
    'support-lead': ['approver', 'operator'],
    finance: ['approver'],
  });
  let as: Record<string, ReturnType<typeof client>>;

  beforeAll(async () => {
    t = await startTestWorkgate({ env: { WORKGATE_PRINCIPALS: principals.path } });
    as = clientsFor(t.url, principals.keys);
  });
  afterAll(() => t?.close());

  const refund = { system: 'payments', operation: 'refund', kind: 'write', objects: ['order:1001'] };
  const steps = ['inspect-case', 'validate-address', 'update-order', 'notify-warehouse', 'confirm-customer'];

  /** A refund the clerk requests, waiting for support-lead. */
  async function waitingRefund(ref: string): Promise<string> {
    const opened = await as.helpdesk<OpenedAnswer>('POST', '/v1/work-orders', {
      jobType: 'support-recovery',
      externalRef: ref,
      source: 'helpdesk',
      inputs: { caseId: ref, orderId: '1001', orderPaid: true },
    });
    for (const step of steps)
      await as.clerk('POST', `/v1/work-orders/${opened.body.id}/steps/${step}/complete`, {
        evidence: [{ kind: 'receipt', ref: `${step}-r` }],
      });
    const wait = await as.clerk<ActionAnswer>('POST', `/v1/work-orders/${opened.body.id}/actions`, {
      ...refund,
      facts: { amount: 40 },
    });
    expect(wait.body).toMatchObject({ decision: 'wait', decisionOwner: 'support-lead' });
    const approvalId = wait.body.approvalId as string;
    await eventually(
      async () => (await as['support-lead']('GET', `/v1/approvals/${approvalId}`)).status === 200,
      10_000,
      'the approval to open',
    );
    return approvalId;
  }

  const conditional = (approvalId: string, conditions: unknown[]) =>
    as['support-lead']<ApprovalView>('POST', `/v1/approvals/${approvalId}/decision`, {
      decision: 'conditional',
      permittedAction: refund,
      conditions,
    });
  const pathsOf = (body: unknown): string[] => [
    ...new Set(((body as { details?: Array<{ path: string }> }).details ?? []).map((d) => d.path)),
  ];
  const statusOf = async (approvalId: string) =>
    (await as['support-lead']<ApprovalView>('GET', `/v1/approvals/${approvalId}`)).body.status;

  it('refuses a condition whose owner is the requester (422 naming conditions[i].owner)', async () => {
    const approvalId = await waitingRefund('SOD-1');
    const answer = await conditional(approvalId, [
      'refund cap confirmed',
      { title: 'customer called back', owner: 'clerk' },
    ]);
    expect(answer).toMatchObject({
      status: 422,
      body: {
        error: 'validation_failed',
        details: [{ path: 'conditions[1].owner', message: expect.stringContaining('clerk') }],
      },
    });
    expect(await statusOf(approvalId)).toBe('requested');
  });

  it('refuses the requester closing a condition of its own request (403 self_approval): the approval stays conditional', async () => {
    const approvalId = await waitingRefund('SOD-2');
    expect((await conditional(approvalId, ['refund cap confirmed'])).status).toBe(200);
    const closed = await as.clerk('POST', `/v1/approvals/${approvalId}/conditions/c1/close`, {
      evidence: [{ kind: 'note', ref: 'done' }],
    });
    expect(closed).toMatchObject({ status: 403, body: { error: 'self_approval', message: expect.any(String) } });
    expect(await statusOf(approvalId)).toBe('conditional');
  });

  it('closes a condition with evidence as a list', async () => {
    const approvalId = await waitingRefund('EV-1');
    expect((await conditional(approvalId, [{ title: 'retention policy signed', owner: 'finance' }])).status).toBe(200);
    const closed = await as.finance<ApprovalView>('POST', `/v1/approvals/${approvalId}/conditions/c1/close`, {
      evidence: [
        { kind: 'signed-policy', ref: 'R-03' },
        { kind: 'email', ref: 'msg-42', private: true },
      ],
    });
    expect(closed).toMatchObject({ status: 200, body: { status: 'approved' } });
  });

  it('closes a condition with one evidence object, as before', async () => {
    const approvalId = await waitingRefund('EV-2');
    expect((await conditional(approvalId, ['retention policy signed'])).status).toBe(200);
    const closed = await as['support-lead']<ApprovalView>('POST', `/v1/approvals/${approvalId}/conditions/c1/close`, {
      evidence: { kind: 'signed-policy', ref: 'R-03' },
    });
    expect(closed).toMatchObject({ status: 200, body: { status: 'approved' } });
  });

  it('refuses an empty evidence list and a malformed item, naming what is wrong', async () => {
    const approvalId = await waitingRefund('EV-3');
    expect((await conditional(approvalId, ['retention policy signed'])).status).toBe(200);
    const close = (evidence: unknown) =>
      as['support-lead']('POST', `/v1/approvals/${approvalId}/conditions/c1/close`, { evidence });
    expect(await close([])).toMatchObject({
      status: 422,
      body: {
        error: 'validation_failed',
        details: [{ path: 'evidence', message: expect.stringMatching(/at least one/) }],
      },
    });
    const malformed = await close([{ kind: 'signed-policy', ref: 'R-03' }, { kind: 'email' }]);
    expect(malformed).toMatchObject({ status: 422, body: { error: 'validation_failed' } });
    expect(pathsOf(malformed.body)).toEqual(['evidence[1].ref']);
    const text = await close('R-03');
    expect(text).toMatchObject({ status: 422, body: { error: 'validation_failed' } });
    expect(pathsOf(text.body)).toEqual(['evidence']);
    expect(await statusOf(approvalId)).toBe('conditional');
  });
});
