import { randomUUID } from 'node:crypto';
import type {
  ActionAnswer,
  ApprovalView,
  ArtifactAnswer,
  DeliveryPage,
  OpenedAnswer,
  ScopeChangeAnswer,
  WorkOrderHandoff,
} from '@workgate/contracts';
import { REFUND, requestedTracks } from '../libs/domain/work-order/engagement.fixtures';
import { eventually } from './support/processes';
import { client, clientsFor, writePrincipals } from './support/principals';
import { sharedTestWorkgate, SharedTestWorkgate } from './support/shared-workgate';
import { defined, found } from './support/answers';

/**
 * The engagement example end to end over HTTP (one stage artifact as a CloudEvent): the
 * Northwind support-triage pilot reaches delivery with commercial approved and security
 * conditional (R-03 open); the client asks for refund recommendations, which opens a change
 * order and a security review and stops refund actions with `scope_not_approved` until both
 * are approved, while work inside the original scope goes on.
 */
describe('engagement lifecycle: stages, security overlay, scope change', () => {
  let t: SharedTestWorkgate;
  const principals = writePrincipals({
    crm: ['integrator'],
    consultant: ['operator'],
    'engagement-lead': ['approver'],
    'security-lead': ['approver'],
  });
  let as: Record<string, ReturnType<typeof client>>;
  let id: string;

  beforeAll(async () => {
    t = await sharedTestWorkgate({ principals });
    as = clientsFor(t.url, principals.keys);
    const opened = await as.crm<OpenedAnswer>('POST', '/v1/work-orders', {
      jobType: 'engagement-lifecycle',
      externalRef: 'ENG-NW-1',
      source: 'crm',
      inputs: { client: 'Northwind Trading Co.', sponsor: 'ops-director', project: 'Support email triage agent' },
    });
    expect(opened.status).toBe(201);
    id = opened.body.id;
  });
  afterAll(() => t?.close());

  const handoff = async () => (await as.consultant<WorkOrderHandoff>('GET', `/v1/work-orders/${id}`)).body;
  /** Waits until the approvals service holds the approval, then decides it as `who`. */
  const decideWhenOpen = async (who: string, approvalId: string, body: Record<string, unknown>) => {
    await eventually(
      async () => (await as[who]('GET', `/v1/approvals/${approvalId}`)).status === 200,
      10_000,
      `approval ${approvalId}`,
    );
    return as[who]('POST', `/v1/approvals/${approvalId}/decision`, body);
  };
  const stageOf = (h: WorkOrderHandoff, stageId: string) =>
    found(h.stages, (s) => s.id === stageId, `stage ${stageId}`);
  /** Waits until the work order's handoff satisfies `check`. */
  const handoffWhen = (what: string, check: (h: WorkOrderHandoff) => boolean) =>
    eventually(
      async () => {
        const h = await handoff();
        return check(h) ? h : undefined;
      },
      10_000,
      what,
    );

  const passStage = async (stageId: string, kind: string, ref: string) => {
    const recorded = await as.consultant<ArtifactAnswer>('POST', `/v1/work-orders/${id}/stages/${stageId}/artifact`, {
      artifact: { kind, ref },
    });
    expect(recorded.status).toBe(201);
    const gate = recorded.body.gate;
    expect(
      await decideWhenOpen(gate.owner, gate.approvalId, { decision: 'approve', permittedAction: gate.action }),
    ).toMatchObject({ status: 200, body: { status: 'approved' } });
    await handoffWhen(`stage ${stageId} passed`, (h) => stageOf(h, stageId).gate.status === 'approved');
  };

  it('routes through the stages; each artifact must be its stage kind and follow the earlier gates', async () => {
    expect(await handoff()).toMatchObject({
      client: 'Northwind Trading Co.',
      project: 'Support email triage agent',
      stage: 'discovery',
      nextStage: 'discovery',
    });
    await passStage('discovery', 'requirements-brief', 'DISC-2026-0117');

    // A discovery artifact is not a proposal; a contract cannot come before the commercial gate.
    expect(
      await as.consultant<ArtifactAnswer>('POST', `/v1/work-orders/${id}/stages/proposal/artifact`, {
        artifact: { kind: 'requirements-brief', ref: 'DISC-2026-0117' },
      }),
    ).toMatchObject({
      status: 422,
      body: { error: 'artifact_mismatch' },
    });
    expect(
      await as.consultant<ArtifactAnswer>('POST', `/v1/work-orders/${id}/stages/contract/artifact`, {
        artifact: { kind: 'signed-agreement', ref: 'ADSA-2026-0142' },
      }),
    ).toMatchObject({
      status: 409,
      body: {
        error: 'stage_gate_pending',
        details: [{ stageId: 'proposal', gate: 'commercial', status: 'unknown', owner: 'engagement-lead' }],
      },
    });
    expect(
      await as.consultant<ArtifactAnswer>('POST', `/v1/work-orders/${id}/stages/closing/artifact`, {
        artifact: { kind: 'x', ref: 'y' },
      }),
    ).toMatchObject({ status: 404, body: { error: 'unknown_stage' } });
    await passStage('proposal', 'pilot-proposal', 'PRO-2026-0188');

    // The contract arrives from the CRM as a CloudEvent.
    const ce = await as.crm(
      'POST',
      '/v1/events',
      JSON.stringify({
        specversion: '1.0',
        id: randomUUID(),
        source: 'crm',
        type: 'workgate.stage.artifact_recorded',
        subject: 'ENG-NW-1',
        data: { stageId: 'contract', artifact: { kind: 'signed-agreement', ref: 'ADSA-2026-0142' } },
      }),
      { 'Content-Type': 'application/cloudevents+json' },
    );
    expect(ce.status).toBe(202);
    const contract = await handoffWhen(
      'the contract artifact',
      (h) => stageOf(h, 'contract').gate.status === 'requested',
    );
    const contractGate = stageOf(contract, 'contract').gate;
    expect(
      await decideWhenOpen('engagement-lead', defined(contractGate.approvalId, 'the contract gate approval'), {
        decision: 'approve',
        permittedAction: {
          system: 'lifecycle',
          operation: 'contract.signature-and-deposit',
          kind: 'write',
          objects: ['artifact:ADSA-2026-0142'],
        },
      }),
    ).toMatchObject({ status: 200 });
    await handoffWhen('the contract gate approved', (h) => h.approvals['signature-and-deposit'] === 'approved');
    expect((await handoff()).stage).toBe('delivery');
  });

  it('at delivery the handoff shows commercial approved, security conditional with its open risk, external send unknown and the next action', async () => {
    const recorded = await as.consultant<ArtifactAnswer>('POST', `/v1/work-orders/${id}/stages/delivery/artifact`, {
      artifact: { kind: 'launch-readiness-checklist', ref: 'LRC-2026-0031' },
    });
    expect(recorded).toMatchObject({
      status: 201,
      body: { gate: { kind: 'security', owner: 'security-lead', status: 'requested' } },
    });
    const security = recorded.body.gate;
    const conditional = await decideWhenOpen('security-lead', security.approvalId, {
      decision: 'conditional',
      permittedAction: security.action,
      conditions: ['R-03'],
    });
    expect(conditional).toMatchObject({ status: 200, body: { status: 'conditional' } });

    const h = await handoffWhen('security conditional on the work order', (x) => x.approvals.security !== 'requested');
    expect(h).toMatchObject({
      client: 'Northwind Trading Co.',
      stage: 'delivery',
      nextStage: 'support',
      nextOwner: 'security-lead',
      approvals: {
        commercial: 'approved',
        security: 'conditional (R-03 open)',
        'external-send': 'unknown',
        'facts-verified': 'approved',
        renewal: 'unknown',
      },
      artifacts: [
        { stageId: 'discovery', kind: 'requirements-brief', ref: 'DISC-2026-0117' },
        { stageId: 'proposal', kind: 'pilot-proposal', ref: 'PRO-2026-0188' },
        { stageId: 'contract', kind: 'signed-agreement', ref: 'ADSA-2026-0142' },
        { stageId: 'delivery', kind: 'launch-readiness-checklist', ref: 'LRC-2026-0031' },
      ],
    });
    expect(h.nextAction).toBe(
      `close R-03 on the security approval ${security.approvalId}, then record the health-scorecard for stage support`,
    );
    expect(h.openQuestions).toEqual(['security: R-03 open (security-lead)']);
    expect(h.blockers).toEqual([
      `security approval ${security.approvalId} is conditional: R-03 open (security-lead closes)`,
    ]);
    // Asking for a specific stage routes there instead.
    expect((await as.consultant<WorkOrderHandoff>('GET', `/v1/work-orders/${id}?stage=support`)).body.nextStage).toBe(
      'support',
    );
    expect(await as.consultant('GET', `/v1/work-orders/${id}?stage=launch`)).toMatchObject({
      status: 404,
      body: { error: 'unknown_stage' },
    });

    // The launch waits on that security approval: a signed contract does not authorize it.
    const launch = await as.consultant<ActionAnswer>('POST', `/v1/work-orders/${id}/actions`, {
      system: 'support-desk',
      operation: 'launch',
      kind: 'write',
    });
    expect(launch).toMatchObject({
      status: 201,
      body: {
        decision: 'stop',
        reason: 'gate_not_approved',
        rule: 'security-review',
        decisionOwner: 'security-lead',
        approvalId: security.approvalId,
      },
    });
  });

  it('a refund-recommendation request opens change-order and security tracks and stops with scope_not_approved until both name the permitted action', async () => {
    const change = await as.crm<ScopeChangeAnswer>('POST', `/v1/work-orders/${id}/scope-changes`, {
      add: [REFUND],
      reason: 'Northwind asks whether the pilot can recommend refunds',
    });
    expect(change.status).toBe(201);
    expect(change.body.tracks).toEqual(requestedTracks(REFUND));
    const [changeOrder, review] = change.body.tracks;

    const refund = () =>
      as.consultant<ActionAnswer>('POST', `/v1/work-orders/${id}/actions`, { ...REFUND, facts: { ticket: 'T-88' } });
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
      await as.consultant<ActionAnswer>('POST', `/v1/work-orders/${id}/actions`, {
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
      await as.crm<ScopeChangeAnswer>('POST', `/v1/work-orders/${id}/scope-changes`, {
        add: [{ system: 'crm', operation: 'note', kind: 'write' }],
        reason: 'x',
      }),
    ).toMatchObject({
      status: 422,
      body: { error: 'already_in_scope' },
    });

    // The change order is never approved without naming the permitted action, nor for another one.
    expect(await decideWhenOpen('engagement-lead', changeOrder.approvalId, { decision: 'approve' })).toMatchObject({
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
      await decideWhenOpen('security-lead', review.approvalId, { decision: 'approve', permittedAction: REFUND }),
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

    const h = await handoff();
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
    const h = await handoff();
    const security = stageOf(h, 'delivery').gate;
    expect(
      await as['security-lead']<ApprovalView>('POST', `/v1/approvals/${security.approvalId}/conditions/c1/close`, {
        evidence: { kind: 'risk-closure', ref: 'SEC-2026-0090#R-03' },
      }),
    ).toMatchObject({
      status: 200,
      body: { status: 'approved' },
    });
    await handoffWhen('security approved', (x) => x.approvals.security === 'approved');
    expect(
      await as.consultant<ActionAnswer>('POST', `/v1/work-orders/${id}/actions`, {
        system: 'support-desk',
        operation: 'launch',
        kind: 'write',
      }),
    ).toMatchObject({ status: 201, body: { decision: 'run' } });
    expect((await handoff()).nextAction).toBe('record the health-scorecard for stage support');
  });

  it('shows stage progress on the public delivery page without artifact references', async () => {
    const page = await as.consultant<DeliveryPage>('GET', `/v1/work-orders/${id}/delivery`);
    expect(page.body).toMatchObject({
      stage: 'support',
      stages: expect.arrayContaining([
        { id: 'contract', artifact: 'signed-agreement', gate: 'signature-and-deposit: approved' },
      ]),
    });
    expect(page.text).not.toContain('ADSA-2026-0142');
    const html = await as.consultant('GET', `/v1/work-orders/${id}/delivery`, undefined, { Accept: 'text/html' });
    expect(html.text).toContain('<h2>Stages</h2>');
    expect(html.text).not.toContain('DISC-2026-0117');
  });

  it('refuses malformed stage and scope-change bodies with the fields named', async () => {
    expect(
      await as.consultant<ArtifactAnswer>('POST', `/v1/work-orders/${id}/stages/support/artifact`, {
        artifact: { kind: 'health-scorecard', ref: 'H-1', extra: 1 },
      }),
    ).toMatchObject({ status: 422, body: { error: 'validation_failed' } });
    expect(await as.consultant('POST', `/v1/work-orders/${id}/scope-changes`, { add: [], reason: 'x' })).toMatchObject({
      status: 422,
      body: { error: 'validation_failed' },
    });
    expect(
      await as.consultant<ScopeChangeAnswer>('POST', `/v1/work-orders/${id}/scope-changes`, {
        add: [{ system: 'x', operation: 'y', kind: 'delete' }],
        reason: 'x',
      }),
    ).toMatchObject({ status: 422 });
    expect(
      await as['engagement-lead']<ScopeChangeAnswer>('POST', `/v1/work-orders/${id}/scope-changes`, {
        add: [REFUND],
        reason: 'x',
      }),
    ).toMatchObject({ status: 403 });
  });
});
