import type { ActionAnswer, ArtifactAnswer, WorkOrderHandoff } from '@workgate/contracts';
import { onEngagement } from './support/engagement';

const REF = 'ENG-NW-1';

/**
 * The engagement example end to end over HTTP (one stage artifact as a CloudEvent): the
 * Northwind support-triage pilot reaches delivery with commercial approved and security
 * conditional (R-03 open). The scope change that follows: lifecycle-scope-change.e2e-spec.ts.
 */
describe('engagement lifecycle: stages and the security overlay', () => {
  const e = onEngagement(REF, (e) => e.open());
  const { as } = e;
  const id = () => e.id();

  it('routes through the stages; each artifact must be its stage kind and follow the earlier gates', async () => {
    expect(await e.handoff()).toMatchObject({
      client: 'Northwind Trading Co.',
      project: 'Support email triage agent',
      stage: 'discovery',
      nextStage: 'discovery',
    });
    await e.passStage('discovery', 'requirements-brief', 'DISC-2026-0117');

    // A discovery artifact is not a proposal; a contract cannot come before the commercial gate.
    expect(
      await as.consultant<ArtifactAnswer>('POST', `/v1/work-orders/${id()}/stages/proposal/artifact`, {
        artifact: { kind: 'requirements-brief', ref: 'DISC-2026-0117' },
      }),
    ).toMatchObject({
      status: 422,
      body: { error: 'artifact_mismatch' },
    });
    expect(
      await as.consultant<ArtifactAnswer>('POST', `/v1/work-orders/${id()}/stages/contract/artifact`, {
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
      await as.consultant<ArtifactAnswer>('POST', `/v1/work-orders/${id()}/stages/closing/artifact`, {
        artifact: { kind: 'x', ref: 'y' },
      }),
    ).toMatchObject({ status: 404, body: { error: 'unknown_stage' } });
    await e.passStage('proposal', 'pilot-proposal', 'PRO-2026-0188');

    // The contract arrives from the CRM as a CloudEvent.
    expect((await e.contractEvent()).status).toBe(202);
    await e.approveContract();
    expect((await e.handoff()).stage).toBe('delivery');
  });

  it('at delivery the handoff shows commercial approved, security conditional with its open risk, external send unknown and the next action', async () => {
    const recorded = await as.consultant<ArtifactAnswer>('POST', `/v1/work-orders/${id()}/stages/delivery/artifact`, {
      artifact: { kind: 'launch-readiness-checklist', ref: 'LRC-2026-0031' },
    });
    expect(recorded).toMatchObject({
      status: 201,
      body: { gate: { kind: 'security', owner: 'security-lead', status: 'requested' } },
    });
    const security = recorded.body.gate;
    const conditional = await e.decideWhenOpen('security-lead', security.approvalId, {
      decision: 'conditional',
      permittedAction: security.action,
      conditions: ['R-03'],
    });
    expect(conditional).toMatchObject({ status: 200, body: { status: 'conditional' } });

    const h = await e.handoffWhen(
      'security conditional on the work order',
      (x) => x.approvals.security !== 'requested',
    );
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
    expect((await as.consultant<WorkOrderHandoff>('GET', `/v1/work-orders/${id()}?stage=support`)).body.nextStage).toBe(
      'support',
    );
    expect(await as.consultant('GET', `/v1/work-orders/${id()}?stage=launch`)).toMatchObject({
      status: 404,
      body: { error: 'unknown_stage' },
    });

    // The launch waits on that security approval: a signed contract does not authorize it.
    const launch = await as.consultant<ActionAnswer>('POST', `/v1/work-orders/${id()}/actions`, {
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
});
