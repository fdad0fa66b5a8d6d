/** Lifecycle stages and overlays (docs/lifecycle.md, Lifecycle stages, overlays and scope changes) over the shipped engagement-lifecycle workflow. */
import { WorkOrderCommand } from './commands';
import { answerOf } from './answers';
import { definition, Engagement } from './engagement.fixtures';
import { gateOf, stageRouting } from './lifecycle';

describe('lifecycle stages', () => {
  it('routes to the earliest stage whose artifact is missing, or to the stage the caller asks for', () => {
    const e = new Engagement();
    expect(stageRouting(definition, e.open).next?.stage.id).toBe('discovery');
    e.pass('discovery', 'requirements-brief');
    const routing = stageRouting(definition, e.open);
    expect([routing.current?.stage.id, routing.next?.stage.id]).toEqual(['proposal', 'proposal']);
    expect(stageRouting(definition, e.open, 'support').next?.stage.id).toBe('support');
  });

  it('records an artifact with its evidence and opens the stage gate as an approval for the stage owner', () => {
    const e = new Engagement();
    const events = e.run({
      type: 'RecordStageArtifact',
      stageId: 'discovery',
      artifact: { kind: 'requirements-brief', ref: 'DISC-2026-0117' },
      evidence: [{ kind: 'notes', ref: 'doc://disc' }],
    });
    expect(events.map((x) => x.type)).toEqual(['GateRequested', 'StageArtifactRecorded']);
    expect(events[0].data).toMatchObject({
      kind: 'facts-verified',
      owner: 'engagement-lead',
      scope: 'original',
      source: { stageId: 'discovery' },
      action: { system: 'lifecycle', operation: 'discovery.facts-verified', kind: 'write' },
    });
    expect(answerOf(events[1], e.open)).toMatchObject({
      stageId: 'discovery',
      gate: { kind: 'facts-verified', status: 'requested' },
    });
    expect(e.open.artifacts.get('discovery')).toMatchObject({ kind: 'requirements-brief', ref: 'DISC-2026-0117' });
  });

  it('a discovery artifact is not a proposal', () => {
    const e = new Engagement();
    e.pass('discovery', 'requirements-brief');
    const refused = e.refusal({
      type: 'RecordStageArtifact',
      stageId: 'proposal',
      artifact: { kind: 'requirements-brief', ref: 'DISC-2026-0117' },
    });
    expect(refused.code).toBe('artifact_mismatch');
    expect(refused.message).toBe('stage proposal produces a pilot-proposal; a requirements-brief is not one');
  });

  it('a proposal is not a contract: the contract stage waits for the commercial gate', () => {
    const e = new Engagement();
    e.pass('discovery', 'requirements-brief');
    const proposal = Engagement.gate(e.artifact('proposal', 'pilot-proposal'));
    const refused = e.refusal({
      type: 'RecordStageArtifact',
      stageId: 'contract',
      artifact: { kind: 'signed-agreement', ref: 'ADSA-2026-0142' },
    });
    expect(refused.code).toBe('stage_gate_pending');
    expect(refused.details).toEqual([
      {
        stageId: 'proposal',
        gate: 'commercial',
        status: 'requested',
        owner: 'engagement-lead',
        approvalId: proposal.approvalId,
      },
    ]);
    e.resolve(proposal.approvalId, 'approved');
    expect(e.artifact('contract', 'signed-agreement').map((x) => x.type)).toContain('StageArtifactRecorded');
  });

  it('a contract does not authorize launch: the security overlay stops it and asks its owner', () => {
    const e = new Engagement();
    e.pass('discovery', 'requirements-brief');
    e.pass('proposal', 'pilot-proposal');
    e.pass('contract', 'signed-agreement');
    const launch = e.action('support-desk', 'launch');
    expect(launch.answer).toMatchObject({
      decision: 'stop',
      reason: 'gate_not_approved',
      rule: 'security-review',
      decisionOwner: 'security-lead',
    });
    const opened = Engagement.gate(launch.events);
    expect(opened).toMatchObject({
      kind: 'security',
      owner: 'security-lead',
      source: { overlayId: 'security-review' },
    });
    expect(launch.answer.approvalId).toBe(opened.approvalId);
    // Asking again names the same open approval instead of opening another.
    const again = e.action('support-desk', 'launch');
    expect(again.events.map((x) => x.type)).not.toContain('GateRequested');
    expect(again.answer.approvalId).toBe(opened.approvalId);
    e.resolve(opened.approvalId, 'approved');
    expect(e.action('support-desk', 'launch').answer).toMatchObject({ decision: 'run', reason: 'inside_boundary' });
  });

  it('a conditional gate holds the move until its last condition closes', () => {
    const { e, security } = Engagement.atDelivery();
    expect(e.action('support-desk', 'launch').answer).toMatchObject({
      decision: 'stop',
      reason: 'gate_not_approved',
      approvalId: security.approvalId,
    });
    expect(e.action('support-desk', 'launch').answer.message).toContain('conditional (R-03 open)');
    e.resolve(security.approvalId, 'approved');
    expect(e.action('support-desk', 'launch').answer.decision).toBe('run');
  });

  it('a certificate is not delivery acceptance', () => {
    const { e } = Engagement.atDelivery();
    expect(
      e.refusal({
        type: 'RecordStageArtifact',
        stageId: 'delivery',
        artifact: { kind: 'certificate', ref: 'CERT-1' },
      }).code,
    ).toBe('artifact_mismatch');
    const close = e.refusal({
      type: 'CloseWorkOrder',
      closureEvidenceId: 'ACC-1',
      evidence: [{ kind: 'certificate', ref: 'CERT-1' }],
    });
    expect(close.code).toBe('closure_evidence_required');
  });

  it('a case study or a named reference needs a verified client approval, after the security review', () => {
    const { e, security } = Engagement.atDelivery();
    e.resolve(security.approvalId, 'approved');
    for (const operation of ['case-study.publish', 'reference.publish']) {
      const published = e.action('website', operation);
      expect(published.answer).toMatchObject({
        decision: 'wait',
        rule: 'public-proof-needs-client-approval',
        decisionOwner: 'client-sponsor',
      });
      expect(published.data.gate).toBe('client-approval');
    }
    expect(e.action('website', 'page.edit').answer).toMatchObject({ decision: 'stop', reason: 'write_not_allowed' });
  });

  it('refuses an unknown stage and a new artifact once the gate is approved', () => {
    const e = new Engagement();
    expect(e.refusal({ type: 'RecordStageArtifact', stageId: 'renewal', artifact: { kind: 'x', ref: 'y' } }).code).toBe(
      'unknown_stage',
    );
    e.pass('discovery', 'requirements-brief');
    expect(
      e.refusal({
        type: 'RecordStageArtifact',
        stageId: 'discovery',
        artifact: { kind: 'requirements-brief', ref: 'v2' },
      }).code,
    ).toBe('stage_gate_approved');
  });

  it('a revised artifact after a rejected gate opens a new gate approval', () => {
    const e = new Engagement();
    const first = Engagement.gate(e.artifact('discovery', 'requirements-brief'));
    e.resolve(first.approvalId, 'rejected');
    const second = e.artifact('discovery', 'requirements-brief', 'DISC-v2')[0];
    expect(second.type).toBe('GateRequested');
    expect(Engagement.gate([second]).approvalId).not.toBe(first.approvalId);
  });

  it('a gate approves one artifact: no revision while it is being decided, and the approver names the artifact', () => {
    const e = new Engagement();
    const gate = Engagement.gate(e.artifact('discovery', 'requirements-brief', 'DISC-v1'));
    const revision: WorkOrderCommand = {
      type: 'RecordStageArtifact',
      stageId: 'discovery',
      artifact: { kind: 'requirements-brief', ref: 'DISC-v2' },
    };
    expect(gate.action).toEqual({
      system: 'lifecycle',
      operation: 'discovery.facts-verified',
      kind: 'write',
      objects: ['artifact:DISC-v1'],
    });
    expect(e.refusal(revision).code).toBe('stage_gate_open');
    e.resolve(gate.approvalId, 'conditional', ['add the data map']);
    expect(e.refusal(revision).code).toBe('stage_gate_open');
  });

  it('a retried artifact answers as the first time, whatever the gate became since', () => {
    const e = new Engagement();
    const command: WorkOrderCommand = {
      type: 'RecordStageArtifact',
      stageId: 'discovery',
      artifact: { kind: 'requirements-brief', ref: 'D-1' },
    };
    const events = e.run(command, 'op-1', 'artifact-1');
    const first = answerOf(events[1], e.open);
    e.resolve(Engagement.gate(events).approvalId, 'approved');
    expect(e.decide(command, 'op-1', 'artifact-1')).toEqual([]);
    expect(answerOf(e.open.handled.get('artifact-1')!, e.open)).toEqual(first);
    expect(first).toMatchObject({ gate: { status: 'requested' } });
  });

  it('a later refusal of the gate takes back an earlier approval, and a refused overlay gate is not asked again', () => {
    const e = new Engagement();
    const launch = e.action('support-desk', 'launch');
    const overlay = Engagement.gate(launch.events);
    e.resolve(overlay.approvalId, 'approved');
    expect(e.action('support-desk', 'launch').answer.decision).toBe('run');
    e.pass('discovery', 'requirements-brief');
    e.pass('proposal', 'pilot-proposal');
    e.pass('contract', 'signed-agreement');
    const delivery = Engagement.gate(e.artifact('delivery', 'launch-readiness-checklist'));
    e.resolve(delivery.approvalId, 'rejected');
    const after = e.action('support-desk', 'launch');
    expect(after.answer).toMatchObject({
      decision: 'stop',
      reason: 'gate_not_approved',
      approvalId: delivery.approvalId,
    });
    expect(after.events.map((x) => x.type)).not.toContain('GateRequested');
  });

  it('an approval of a single waiting action never covers an overlay', () => {
    const e = new Engagement();
    const send = e.action('email', 'send'); // the overlay opens its gate; approve it, then the rule's own wait follows
    e.resolve(Engagement.gate(send.events).approvalId, 'approved');
    const waiting = e.action('email', 'send');
    expect(waiting.answer).toMatchObject({ decision: 'wait', rule: 'external-send-waits' });
    e.resolve(waiting.answer.approvalId!, 'approved');
    expect(gateOf(e.open, 'external-send', 'original')?.source.actionId).toBe(waiting.data.actionId);
    expect(gateOf(e.open, 'external-send', 'original', { gatesOnly: true })).toBeUndefined();
  });

  it('an open gate blocks closure', () => {
    const { e } = Engagement.atDelivery();
    const refused = e.refusal({
      type: 'CloseWorkOrder',
      closureEvidenceId: 'ACC-1',
      evidence: [{ kind: 'acceptance-record', ref: 'ACC-1' }],
    });
    expect(refused.code).toBe('open_blockers');
    expect(refused.details).toEqual([
      expect.stringMatching(/^security approval .* is conditional: R-03 open \(security-lead closes\)$/),
    ]);
  });
});
