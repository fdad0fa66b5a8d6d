import { eventually } from './support/processes';
import { onSharedWorkgate, GATEWAY_PRINCIPALS, openSupportRecovery } from './support/suite';
import type { ActionAnswer, ApprovalView, DeliveryPage, Receipt, StatusAnswer, StepAnswer } from '@workgate/contracts';
import { found } from './support/answers';
import type { ErrorBody } from './support/answers';

const CANARY = 'CANARY-7f3a9c-SECRET';

/**
 * The support-recovery scenario through the HTTP API, with auth, receipts and the delivery page.
 * On the worker's shared workgate: what it reads is its own work orders'.
 */
describe('gateway: support recovery over HTTP', () => {
  const suite = onSharedWorkgate(GATEWAY_PRINCIPALS);
  const { as } = suite;
  const open = openSupportRecovery(as);

  it('runs the address fix, makes the refund wait, stops the unnamed system, and closes only with evidence', async () => {
    const opened = await open('CASE-1');
    expect(opened.status).toBe(201);
    expect(opened.body).toMatchObject({
      status: 'open',
      prerequisites: [
        { name: 'caseId', ok: true },
        { name: 'orderId', ok: true },
        { name: 'orderPaid', ok: true },
      ],
      exceptions: [],
    });
    const id = opened.body.id;

    const fix = await as.agent<ActionAnswer>('POST', `/v1/work-orders/${id}/actions`, {
      system: 'shop',
      operation: 'order.note',
      kind: 'write',
      objects: ['order:1001', 'customer:77', 'address:1001'],
      facts: { orderFulfilled: false, addressValidated: true },
    });
    expect(fix.status).toBe(201);
    expect(fix.body).toMatchObject({
      decision: 'run',
      rule: 'address-fix-before-cutoff',
      objectsNamed: 4,
      scopeChecks: { passed: 3, total: 3 },
      receiptId: expect.any(String),
    });
    const receipt = await as.agent<Receipt>('GET', `/v1/receipts/${fix.body.receiptId}`);
    expect(receipt.status).toBe(200);
    expect(receipt.body).toMatchObject({
      receiptId: fix.body.receiptId,
      kind: 'decision',
      decision: 'run',
      actor: 'agent',
      policy: { jobType: 'support-recovery', version: 1 },
      ledger: { position: expect.any(Number), hash: expect.stringMatching(/^[0-9a-f]{64}$/) },
    });

    const refundCase = await open('CASE-2');
    const refund = await as.agent<ActionAnswer>('POST', `/v1/work-orders/${refundCase.body.id}/actions`, {
      system: 'payments',
      operation: 'refund',
      kind: 'write',
      facts: { amount: 30 },
    });
    expect(refund.body).toMatchObject({
      decision: 'wait',
      decisionOwner: 'support-lead',
      approvalId: expect.any(String),
    });

    const crm = await as.agent<ActionAnswer>('POST', `/v1/work-orders/${id}/actions`, {
      system: 'crm',
      operation: 'contact.update',
      kind: 'write',
    });
    expect(crm.body).toMatchObject({ decision: 'stop', reason: 'system_not_named', decisionOwner: 'support-lead' });

    for (const step of ['inspect-case', 'validate-address']) {
      expect((await as.agent('POST', `/v1/work-orders/${id}/steps/${step}/complete`, { evidence: [] })).status).toBe(
        200,
      );
    }
    const missingEvidence = await as.agent<StepAnswer>('POST', `/v1/work-orders/${id}/steps/update-order/complete`, {
      evidence: [],
    });
    expect(missingEvidence).toMatchObject({ status: 422, body: { error: 'step_evidence_required' } });
    for (const step of ['update-order', 'notify-warehouse', 'confirm-customer']) {
      const done = await as.agent('POST', `/v1/work-orders/${id}/steps/${step}/complete`, {
        evidence: [
          { kind: 'receipt', ref: `rcpt-${step}` },
          { kind: 'log', ref: `token=${CANARY}`, private: true },
        ],
      });
      expect(done.status).toBe(200);
    }

    const noEvidence = await as.agent<StatusAnswer>('POST', `/v1/work-orders/${id}/close`, {
      closureEvidenceId: '',
      evidence: [],
    });
    expect(noEvidence).toMatchObject({ status: 422, body: { error: 'closure_evidence_required' } });
    const closed = await as.agent<StatusAnswer>('POST', `/v1/work-orders/${id}/close`, {
      closureEvidenceId: 'CE-1',
      evidence: [{ kind: 'closure-note', ref: 'note-1' }],
    });
    expect(closed).toMatchObject({ status: 200, body: { id, status: 'closed' } });

    const blockedClose = await as.agent<ErrorBody>('POST', `/v1/work-orders/${refundCase.body.id}/close`, {
      closureEvidenceId: 'CE-2',
      evidence: [{ kind: 'closure-note', ref: 'n' }],
    });
    expect(blockedClose).toMatchObject({ status: 409, body: { error: 'open_blockers' } });
    expect(blockedClose.body.details).toEqual(
      expect.arrayContaining([expect.stringMatching(/approval .* is pending/)]),
    );

    // The delivery page shows decisions and next moves, never private evidence or secrets.
    const page = await as.agent<DeliveryPage>('GET', `/v1/work-orders/${id}/delivery`);
    expect(page.status).toBe(200);
    expect(page.body.decisions.map((d) => d.decision)).toEqual(['run', 'stop']);
    const html = await as.agent('GET', `/v1/work-orders/${id}/delivery`, undefined, { Accept: 'text/html' });
    expect(html.headers.get('content-type')).toMatch(/text\/html/);
    for (const surface of [page.text, html.text]) {
      expect(surface).not.toContain(CANARY);
      expect(surface).not.toContain('rcpt-update-order');
    }
    // A page a client can read: the stop in words (not its reason code), the closure and its
    // time, nothing left to decide and nobody "TBD"; styled by its own inline style only.
    expect(page.body).toMatchObject({
      status: 'closed',
      nextMoves: [],
      whoDecidesNext: null,
      closure: { at: expect.any(String), evidenceMissing: false },
    });
    const stop = found(page.body.decisions, (d) => d.decision === 'stop', 'stop among the decisions');
    expect(stop.message).toBe(crm.body.message);
    expect(html.text).toContain(
      `Stopped</strong></span><br><span class="muted">${String(crm.body.message).replace(/"/g, '&#34;')}`,
    );
    expect(html.text).not.toContain('system_not_named');
    expect(html.text).not.toContain('TBD');
    expect(html.text).toMatch(
      /Closed on <strong>\d{1,2} \w{3} \d{4}, \d{2}:\d{2} UTC<\/strong>, with its closure evidence on record/,
    );
    expect(html.headers.get('content-security-policy')).toMatch(
      /^default-src 'none'; style-src 'sha256-[A-Za-z0-9+/=]+'; img-src 'self';/,
    );
    expect(html.text).toContain('<link rel="icon" href="/favicon.ico">');
    expect(html.text).not.toContain('<script');

    // The refund that waited: once its owner approves, the page says so, and by whom.
    const waiting = await as.agent('GET', `/v1/work-orders/${refundCase.body.id}/delivery`, undefined, {
      Accept: 'text/html',
    });
    expect(waiting.text).toContain('Waiting for support-lead');
    expect(waiting.text).toMatch(
      /Waiting for refund approval — owned by support-lead|Waiting for .* approval — owned by support-lead/,
    );
    const approval = await as['support-lead']<ApprovalView>('GET', `/v1/approvals/${refund.body.approvalId}`);
    const decided = await as['support-lead']('POST', `/v1/approvals/${refund.body.approvalId}/decision`, {
      decision: 'approve',
      permittedAction: approval.body.requestedAction,
    });
    expect(decided.status).toBe(200);
    const approved = await eventually(
      async () => {
        const r = await as.agent<DeliveryPage>('GET', `/v1/work-orders/${refundCase.body.id}/delivery`);
        return r.body.decisions[0].outcome ? r : undefined;
      },
      10_000,
      'the approval outcome on the work order',
    );
    expect(approved.body.decisions[0]).toMatchObject({
      decision: 'wait',
      outcome: { status: 'approved', by: 'support-lead', at: expect.any(String) },
    });
    expect(approved.body.waitingFor).toEqual([]);
    const approvedHtml = await as.agent('GET', `/v1/work-orders/${refundCase.body.id}/delivery`, undefined, {
      Accept: 'text/html',
    });
    expect(approvedHtml.text).toMatch(
      /<strong>Approved<\/strong><\/span><br><span class="muted">approved by support-lead on .* UTC; it then went ahead\./,
    );
    // The ops lead sees the work order's ledger events, private evidence included.
    const events = await as.lead('GET', `/v1/work-orders/${id}/events`);
    expect(events.text).toContain(CANARY);
    expect((await as.agent('GET', `/v1/work-orders/${id}/events`)).status).toBe(403);
  });
});
