import { client } from './support/principals';
import { REFUND, refundWaiting } from './support/refunds';
import { SignInWorld, startSignInWorld } from './support/sign-in';

/**
 * People signed in with OpenID Connect act under the same rules as API keys (docs/sign-in.md, What the ledger records):
 * the owner decides, never the requester; the ledger records who by the mapped claim, and the
 * issuer and subject beside it.
 */
describe('signed-in people in the ledger', () => {
  let w: SignInWorld;
  beforeAll(async () => {
    w = await startSignInWorld();
  });
  afterAll(() => w?.close());

  const events = async (streamId: string) =>
    (
      await w.t.db.ownerPool().query<{
        type: string;
        metadata: Record<string, unknown>;
      }>('SELECT type, metadata FROM ledger_events WHERE stream_id = $1 ORDER BY position', [streamId])
    ).rows;

  it("records the approver by the mapped claim, with the issuer and subject, and the requester's too", async () => {
    const helpdesk = client(w.t.url, await w.token('helpdesk'));
    const lead = client(w.t.url, await w.token('support-lead'));
    const { approvalId, workOrderId } = await refundWaiting(helpdesk, helpdesk, lead, 'SIGNIN-1');
    const decided = await lead('POST', `/v1/approvals/${approvalId}/decision`, {
      decision: 'approve',
      permittedAction: REFUND,
    });
    expect(decided).toMatchObject({ status: 200, body: { status: 'approved', decidedBy: 'support-lead' } });

    const issuer = w.provider.issuer;
    const approval = await events(`approval-${approvalId}`);
    expect(approval.find((e) => e.type === 'ApprovalGranted')?.metadata).toEqual({
      actor: 'support-lead',
      issuer,
      subject: 'support-lead',
      producer: 'approvals',
    });
    const workOrder = await events(`workorder-${workOrderId}`);
    expect(workOrder.find((e) => e.type === 'ActionDecided')?.metadata).toMatchObject({
      actor: 'helpdesk',
      issuer,
      subject: 'helpdesk',
    });
    // An API key's writes stay as they were: no issuer, no subject.
    const byKey = client(w.t.url, w.keys['helpdesk-key']);
    const { workOrderId: keyed } = await refundWaiting(byKey, byKey, lead, 'SIGNIN-2');
    const opened = (await events(`workorder-${keyed}`)).find((e) => e.type === 'WorkOrderOpened');
    expect(opened?.metadata).toMatchObject({ actor: 'helpdesk-key' });
    expect(opened?.metadata).not.toHaveProperty('issuer');
  });

  it('answers 403 self_approval to a signed-in owner deciding a request they made', async () => {
    const lead = client(w.t.url, await w.token('support-lead'));
    const opener = client(w.t.url, await w.token('only-integrator'));
    const { approvalId } = await refundWaiting(opener, lead, lead, 'SIGNIN-3');
    const res = await lead('POST', `/v1/approvals/${approvalId}/decision`, {
      decision: 'approve',
      permittedAction: REFUND,
    });
    expect(res).toMatchObject({ status: 403, body: { error: 'self_approval' } });
    const other = client(w.t.url, await w.token('only-approver'));
    const notOwner = await other('POST', `/v1/approvals/${approvalId}/decision`, {
      decision: 'approve',
      permittedAction: REFUND,
    });
    expect(notOwner).toMatchObject({ status: 403, body: { error: 'not_owner' } });
  });
});
