import type { ActionAnswer, ApprovalView, ArtifactAnswer, DeliveryPage, ScopeChangeAnswer } from '@workgate/contracts';
import { REFUND, requestedTracks } from '../libs/domain/work-order/engagement.fixtures';
import { eventually } from './support/processes';
import { onEngagement } from './support/engagement';

/**
 * The engagement example after delivery (lifecycle.e2e-spec.ts takes it there: commercial
 * approved, security conditional with R-03 open): the client asks for refund recommendations,
 * which opens a change order and a security review and stops refund actions with
 * `scope_not_approved` until both are approved, while work inside the original scope goes on.
 */
describe('engagement lifecycle: scope change', () => {
  const e = onEngagement('ENG-NW-2', (e) => e.atDeliveryConditional());
  const { as } = e;
  const id = () => e.id();

  it('a refund-recommendation request opens change-order and security tracks and stops with scope_not_approved until both name the permitted action', async () => {
    const change = await as.crm<ScopeChangeAnswer>('POST', `/v1/work-orders/${id()}/scope-changes`, {
      add: [REFUND],
      reason: 'Northwind asks whether the pilot can recommend refunds',
    });
    expect(change.status).toBe(201);
    expect(change.body.tracks).toEqual(requestedTracks(REFUND));
    const [changeOrder, review] = change.body.tracks;

    const refund = () =>
      as.consultant<ActionAnswer>('POST', `/v1/work-orders/${id()}/actions`, { ...REFUND, facts: { ticket: 'T-88' } });
    expect(await refund()).toMatchObject({
      status: 201,
      body: {
        decision: 'stop',
        reason: 'scope_not_approved',
        decisionOwner: 'engagement-lead',
        approvalId: changeOrder.approvalId,
      },
    });
    // Work inside the approved support-triage scope goes on.
    expect(
      await as.consultant<ActionAnswer>('POST', `/v1/work-orders/${id()}/actions`, {
        system: 'support-desk',
        operation: 'ticket.triage',
        kind: 'write',
      }),
    ).toMatchObject({
      status: 201,
      body: { decision: 'run' },
    });
    // Scope that is already approved is not a scope change.
    expect(
      await as.crm<ScopeChangeAnswer>('POST', `/v1/work-orders/${id()}/scope-changes`, {
        add: [{ system: 'crm', operation: 'note', kind: 'write' }],
        reason: 'x',
      }),
    ).toMatchObject({
      status: 422,
      body: { error: 'already_in_scope' },
    });

    // The change order is never approved without naming the permitted action, nor for another one.
    expect(await e.decideWhenOpen('engagement-lead', changeOrder.approvalId, { decision: 'approve' })).toMatchObject({
      status: 422,
      body: { error: 'permitted_action_mismatch' },
    });
    expect(
      await as['engagement-lead']<ApprovalView>('POST', `/v1/approvals/${changeOrder.approvalId}/decision`, {
        decision: 'approve',
        permittedAction: { ...REFUND, operation: 'refund.issue' },
      }),
    ).toMatchObject({
      status: 422,
      body: { error: 'permitted_action_mismatch' },
    });
    expect(
      (await as['engagement-lead']<ApprovalView>('GET', `/v1/approvals/${changeOrder.approvalId}`)).body,
    ).toMatchObject({
      kind: 'change-order',
      requestedAction: REFUND,
      status: 'requested',
    });
    expect(
      await as['engagement-lead']<ApprovalView>('POST', `/v1/approvals/${changeOrder.approvalId}/decision`, {
        decision: 'approve',
        permittedAction: REFUND,
      }),
    ).toMatchObject({ status: 200 });

    // Still stopped, now naming the security owner; the original scope's security approval does not cover it.
    await eventually(
      async () => (await refund()).body.decisionOwner === 'security-lead',
      10_000,
      'the change order approved on the work order',
    );
    expect((await refund()).body).toMatchObject({ reason: 'scope_not_approved', approvalId: review.approvalId });
    expect(
      await e.decideWhenOpen('security-lead', review.approvalId, { decision: 'approve', permittedAction: REFUND }),
    ).toMatchObject({ status: 200 });

    const opened = await eventually(
      async () => {
        const r = await refund();
        return r.body.reason !== 'scope_not_approved' ? r : undefined;
      },
      10_000,
      'the added scope to open',
    );
    expect(opened.body).toMatchObject({ decision: 'run', reason: 'inside_boundary' });

    const h = await e.handoff();
    expect(h.scopeChanges).toEqual([
      expect.objectContaining({
        add: [REFUND],
        tracks: [
          expect.objectContaining({ kind: 'change-order', status: 'approved', mode: 'approved', blockers: [] }),
          expect.objectContaining({ kind: 'security', status: 'approved' }),
        ],
      }),
    ]);
    // Earlier approvals stay valid for the original scope only, and still say so.
    expect(h.approvals.security).toBe('conditional (R-03 open)');
  });

  it('closing R-03 approves security for the original scope and lets the launch run', async () => {
    const h = await e.handoff();
    const security = e.stageOf(h, 'delivery').gate;
    expect(
      await as['security-lead']<ApprovalView>('POST', `/v1/approvals/${security.approvalId}/conditions/c1/close`, {
        evidence: { kind: 'risk-closure', ref: 'SEC-2026-0090#R-03' },
      }),
    ).toMatchObject({
      status: 200,
      body: { status: 'approved' },
    });
    await e.handoffWhen('security approved', (x) => x.approvals.security === 'approved');
    expect(
      await as.consultant<ActionAnswer>('POST', `/v1/work-orders/${id()}/actions`, {
        system: 'support-desk',
        operation: 'launch',
        kind: 'write',
      }),
    ).toMatchObject({ status: 201, body: { decision: 'run' } });
    expect((await e.handoff()).nextAction).toBe('record the health-scorecard for stage support');
  });

  it('shows stage progress on the public delivery page without artifact references', async () => {
    const page = await as.consultant<DeliveryPage>('GET', `/v1/work-orders/${id()}/delivery`);
    expect(page.body).toMatchObject({
      stage: 'support',
      stages: expect.arrayContaining([
        { id: 'contract', artifact: 'signed-agreement', gate: 'signature-and-deposit: approved' },
      ]),
    });
    expect(page.text).not.toContain('ADSA-2026-0142');
    const html = await as.consultant('GET', `/v1/work-orders/${id()}/delivery`, undefined, { Accept: 'text/html' });
    expect(html.text).toContain('<h2>Stages</h2>');
    expect(html.text).not.toContain('DISC-2026-0117');
  });

  it('refuses malformed stage and scope-change bodies with the fields named', async () => {
    expect(
      await as.consultant<ArtifactAnswer>('POST', `/v1/work-orders/${id()}/stages/support/artifact`, {
        artifact: { kind: 'health-scorecard', ref: 'H-1', extra: 1 },
      }),
    ).toMatchObject({ status: 422, body: { error: 'validation_failed' } });
    expect(
      await as.consultant('POST', `/v1/work-orders/${id()}/scope-changes`, { add: [], reason: 'x' }),
    ).toMatchObject({
      status: 422,
      body: { error: 'validation_failed' },
    });
    expect(
      await as.consultant<ScopeChangeAnswer>('POST', `/v1/work-orders/${id()}/scope-changes`, {
        add: [{ system: 'x', operation: 'y', kind: 'delete' }],
        reason: 'x',
      }),
    ).toMatchObject({ status: 422 });
    expect(
      await as['engagement-lead']<ScopeChangeAnswer>('POST', `/v1/work-orders/${id()}/scope-changes`, {
        add: [REFUND],
        reason: 'x',
      }),
    ).toMatchObject({ status: 403 });
  });
});
