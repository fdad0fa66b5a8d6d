import { ActionDecidedData, ActionScope, CommandMeta, DecisionResult, GateRequestedData, ScopeChangeAnswer, WorkgateError, WorkOrderCommand, WorkOrderEvents } from '@workgate/contracts';
import { compileWorkflow } from '../../workflow/compile';
import { decide } from '../../workflow/decide';
import { parseDuration } from '../../workflow/duration';
import { shippedWorkflow } from '../../workflow/test-fixtures';
import { approvedAddedScope, BOUNDARY_REASONS, describeStatus, distinctClasses, gateOf, stageRouting } from './lifecycle';
import { answerOf, decideWorkOrder, evolveWorkOrder, initialWorkOrderState, OpenState, scopeChangeTracks, WorkOrderEvent, workOrderFacts, WorkOrderState } from './work-order.decider';

/**
 * Stage routing, overlays and scope changes, decided over the shipped engagement-lifecycle
 * workflow with the real policy evaluation (boundary, rules, overlay conditions) and no services.
 */
const definition = shippedWorkflow('engagement-lifecycle');
const compiled = compileWorkflow(definition);
const policy = compiled.policy;
const catalog = new Map([['PREREQ_MISSING', { owner: 'intake-lead', sla: 'PT4H' }]]);
const NOW = '2026-11-22T10:00:00.000Z';

class Engagement {
  state: WorkOrderState = initialWorkOrderState();
  private n = 0;

  constructor() {
    this.run({ type: 'open', body: { jobType: definition.jobType, externalRef: 'ENG-1', source: 'crm', inputs: { client: 'Northwind Trading Co.', sponsor: 'ops-director' } } });
  }

  get open(): OpenState {
    return this.state as OpenState;
  }

  /** Decides a command as the work-orders service does: the policy decision (with added scope) and the overlays for a scope change. */
  decide(command: WorkOrderCommand, actor = 'op-1'): WorkOrderEvent[] {
    const meta: CommandMeta = { commandId: `cmd-${++this.n}`, actor, now: NOW, channel: 'http' };
    let decision: DecisionResult | undefined;
    let scopeItems: Array<{ outsideBoundary: boolean; overlays: string[] }> | undefined;
    if (command.type === 'request-action') {
      decision = decide(compiled, { action: command.body, facts: command.body.facts ?? {}, workOrder: workOrderFacts(this.open), addedScope: approvedAddedScope(this.open) });
    }
    if (command.type === 'change-scope') {
      scopeItems = distinctClasses(command.body.add).map((item) => {
        const d = decide(compiled, { action: item });
        return { outsideBoundary: BOUNDARY_REASONS.has(d.reason), overlays: d.overlays ?? [] };
      });
    }
    return decideWorkOrder(command, this.state, meta, { workOrderId: 'wo-1', definition, policy, catalog, durationMs: parseDuration, decision, scopeItems });
  }

  run(command: WorkOrderCommand, actor?: string): WorkOrderEvent[] {
    const events = this.decide(command, actor);
    this.state = events.reduce(evolveWorkOrder, this.state);
    return events;
  }

  refusal(command: WorkOrderCommand): WorkgateError {
    try {
      this.decide(command);
    } catch (error) {
      return error as WorkgateError;
    }
    throw new Error('expected a refusal');
  }

  artifact(stageId: string, kind: string, ref = `${kind.toUpperCase()}-1`) {
    return this.run({ type: 'record-artifact', stageId, body: { artifact: { kind, ref } } });
  }

  action(system: string, operation: string, kind: 'read' | 'write' = 'write') {
    const events = this.run({ type: 'request-action', body: { system, operation, kind } });
    const decided = events[events.length - 1];
    return { answer: answerOf(decided, this.open) as DecisionResult & { approvalId?: string }, data: decided.data as ActionDecidedData, events };
  }

  resolve(approvalId: string, outcome: 'approved' | 'rejected' | 'expired' | 'conditional', openConditions?: string[]) {
    return this.run({ type: 'resolve-approval', body: { approvalId, outcome, decidedBy: 'approver', ...(openConditions ? { openConditions } : {}) } });
  }

  /** Records a stage's artifact and approves its gate. */
  pass(stageId: string, kind: string) {
    const events = this.artifact(stageId, kind);
    const gate = events.find((e) => e.type === WorkOrderEvents.GateRequested)!.data as GateRequestedData;
    this.resolve(gate.approvalId, 'approved');
    return gate;
  }

  /** The engagement at delivery: discovery, proposal and contract passed; the launch checklist recorded; security conditional (R-03 open). */
  static atDelivery() {
    const e = new Engagement();
    e.pass('discovery', 'requirements-brief');
    e.pass('proposal', 'pilot-proposal');
    e.pass('contract', 'signed-agreement');
    const gate = e.artifact('delivery', 'launch-readiness-checklist').find((x) => x.type === WorkOrderEvents.GateRequested)!.data as GateRequestedData;
    e.resolve(gate.approvalId, 'conditional', ['R-03']);
    return { e, security: gate };
  }
}

const REFUND: ActionScope = { system: 'support-desk', operation: 'refund.recommend', kind: 'write' };

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
    const events = e.run({ type: 'record-artifact', stageId: 'discovery', body: { artifact: { kind: 'requirements-brief', ref: 'DISC-2026-0117' }, evidence: [{ kind: 'notes', ref: 'doc://disc' }] } });
    expect(events.map((x) => x.type)).toEqual([WorkOrderEvents.GateRequested, WorkOrderEvents.StageArtifactRecorded]);
    expect(events[0].data).toMatchObject({ kind: 'facts-verified', owner: 'engagement-lead', scope: 'original', source: { stageId: 'discovery' }, action: { system: 'lifecycle', operation: 'discovery.facts-verified', kind: 'write' } });
    expect(answerOf(events[1], e.open)).toMatchObject({ stageId: 'discovery', gate: { kind: 'facts-verified', status: 'requested' } });
    expect(e.open.artifacts.get('discovery')).toMatchObject({ kind: 'requirements-brief', ref: 'DISC-2026-0117' });
  });

  it('a discovery artifact is not a proposal', () => {
    const e = new Engagement();
    e.pass('discovery', 'requirements-brief');
    const refused = e.refusal({ type: 'record-artifact', stageId: 'proposal', body: { artifact: { kind: 'requirements-brief', ref: 'DISC-2026-0117' } } });
    expect(refused.code).toBe('artifact_mismatch');
    expect(refused.message).toBe('stage proposal produces a pilot-proposal; a requirements-brief is not one');
  });

  it('a proposal is not a contract: the contract stage waits for the commercial gate', () => {
    const e = new Engagement();
    e.pass('discovery', 'requirements-brief');
    const proposal = e.artifact('proposal', 'pilot-proposal')[0].data as GateRequestedData;
    const refused = e.refusal({ type: 'record-artifact', stageId: 'contract', body: { artifact: { kind: 'signed-agreement', ref: 'ADSA-2026-0142' } } });
    expect(refused.code).toBe('stage_gate_pending');
    expect(refused.details).toEqual([{ stageId: 'proposal', gate: 'commercial', status: 'requested', owner: 'engagement-lead', approvalId: proposal.approvalId }]);
    e.resolve(proposal.approvalId, 'approved');
    expect(e.artifact('contract', 'signed-agreement').map((x) => x.type)).toContain(WorkOrderEvents.StageArtifactRecorded);
  });

  it('a contract does not authorize launch: the security overlay stops it and asks its owner', () => {
    const e = new Engagement();
    e.pass('discovery', 'requirements-brief');
    e.pass('proposal', 'pilot-proposal');
    e.pass('contract', 'signed-agreement');
    const launch = e.action('support-desk', 'launch');
    expect(launch.answer).toMatchObject({ decision: 'stop', reason: 'gate_not_approved', rule: 'security-review', decisionOwner: 'security-lead' });
    const opened = launch.events.find((x) => x.type === WorkOrderEvents.GateRequested)!.data as GateRequestedData;
    expect(opened).toMatchObject({ kind: 'security', owner: 'security-lead', source: { overlayId: 'security-review' } });
    expect(launch.answer.approvalId).toBe(opened.approvalId);
    // Asking again names the same open approval instead of opening another.
    const again = e.action('support-desk', 'launch');
    expect(again.events.map((x) => x.type)).not.toContain(WorkOrderEvents.GateRequested);
    expect(again.answer.approvalId).toBe(opened.approvalId);
    e.resolve(opened.approvalId, 'approved');
    expect(e.action('support-desk', 'launch').answer).toMatchObject({ decision: 'run', reason: 'inside_boundary' });
  });

  it('a conditional gate holds the move until its last condition closes', () => {
    const { e, security } = Engagement.atDelivery();
    expect(e.action('support-desk', 'launch').answer).toMatchObject({ decision: 'stop', reason: 'gate_not_approved', approvalId: security.approvalId });
    expect(e.action('support-desk', 'launch').answer.message).toContain('conditional (R-03 open)');
    e.resolve(security.approvalId, 'approved');
    expect(e.action('support-desk', 'launch').answer.decision).toBe('run');
  });

  it('a certificate is not delivery acceptance', () => {
    const { e } = Engagement.atDelivery();
    expect(e.refusal({ type: 'record-artifact', stageId: 'delivery', body: { artifact: { kind: 'certificate', ref: 'CERT-1' } } }).code).toBe('artifact_mismatch');
    const close = e.refusal({ type: 'close', body: { closureEvidenceId: 'ACC-1', evidence: [{ kind: 'certificate', ref: 'CERT-1' }] } });
    expect(close.code).toBe('closure_evidence_required');
  });

  it('a case study or a named reference needs a verified client approval, after the security review', () => {
    const { e, security } = Engagement.atDelivery();
    e.resolve(security.approvalId, 'approved');
    for (const operation of ['case-study.publish', 'reference.publish']) {
      const published = e.action('website', operation);
      expect(published.answer).toMatchObject({ decision: 'wait', rule: 'public-proof-needs-client-approval', decisionOwner: 'client-sponsor' });
      expect(published.data.gate).toBe('client-approval');
    }
    expect(e.action('website', 'page.edit').answer).toMatchObject({ decision: 'stop', reason: 'write_not_allowed' });
  });

  it('refuses an unknown stage and a new artifact once the gate is approved', () => {
    const e = new Engagement();
    expect(e.refusal({ type: 'record-artifact', stageId: 'renewal', body: { artifact: { kind: 'x', ref: 'y' } } }).code).toBe('unknown_stage');
    e.pass('discovery', 'requirements-brief');
    expect(e.refusal({ type: 'record-artifact', stageId: 'discovery', body: { artifact: { kind: 'requirements-brief', ref: 'v2' } } }).code).toBe('stage_gate_approved');
  });

  it('a revised artifact after a rejected gate opens a new gate approval', () => {
    const e = new Engagement();
    const first = e.artifact('discovery', 'requirements-brief')[0].data as GateRequestedData;
    e.resolve(first.approvalId, 'rejected');
    const second = e.artifact('discovery', 'requirements-brief', 'DISC-v2')[0];
    expect(second.type).toBe(WorkOrderEvents.GateRequested);
    expect((second.data as GateRequestedData).approvalId).not.toBe(first.approvalId);
  });

  it('a gate approves one artifact: no revision while it is being decided, and the approver names the artifact', () => {
    const e = new Engagement();
    const gate = e.artifact('discovery', 'requirements-brief', 'DISC-v1')[0].data as GateRequestedData;
    expect(gate.action).toEqual({ system: 'lifecycle', operation: 'discovery.facts-verified', kind: 'write', objects: ['artifact:DISC-v1'] });
    expect(e.refusal({ type: 'record-artifact', stageId: 'discovery', body: { artifact: { kind: 'requirements-brief', ref: 'DISC-v2' } } }).code).toBe('stage_gate_open');
    e.resolve(gate.approvalId, 'conditional', ['add the data map']);
    expect(e.refusal({ type: 'record-artifact', stageId: 'discovery', body: { artifact: { kind: 'requirements-brief', ref: 'DISC-v2' } } }).code).toBe('stage_gate_open');
  });

  it('a retried artifact answers as the first time, whatever the gate became since', () => {
    const e = new Engagement();
    const meta: CommandMeta = { commandId: 'artifact-1', actor: 'op-1', now: NOW, channel: 'http' };
    const command: WorkOrderCommand = { type: 'record-artifact', stageId: 'discovery', body: { artifact: { kind: 'requirements-brief', ref: 'D-1' } } };
    const ctx = { workOrderId: 'wo-1', definition, policy, catalog, durationMs: parseDuration };
    const events = decideWorkOrder(command, e.state, meta, ctx);
    e.state = events.reduce(evolveWorkOrder, e.state);
    const first = answerOf(events[1], e.open);
    e.resolve((events[0].data as GateRequestedData).approvalId, 'approved');
    expect(decideWorkOrder(command, e.state, meta, ctx)).toEqual([]);
    expect(answerOf(e.open.handled.get('artifact-1')!, e.open)).toEqual(first);
    expect(first).toMatchObject({ gate: { status: 'requested' } });
  });

  it('a later refusal of the gate takes back an earlier approval, and a refused overlay gate is not asked again', () => {
    const e = new Engagement();
    const launch = e.action('support-desk', 'launch');
    const overlay = launch.events.find((x) => x.type === WorkOrderEvents.GateRequested)!.data as GateRequestedData;
    e.resolve(overlay.approvalId, 'approved');
    expect(e.action('support-desk', 'launch').answer.decision).toBe('run');
    e.pass('discovery', 'requirements-brief');
    e.pass('proposal', 'pilot-proposal');
    e.pass('contract', 'signed-agreement');
    const delivery = e.artifact('delivery', 'launch-readiness-checklist')[0].data as GateRequestedData;
    e.resolve(delivery.approvalId, 'rejected');
    const after = e.action('support-desk', 'launch');
    expect(after.answer).toMatchObject({ decision: 'stop', reason: 'gate_not_approved', approvalId: delivery.approvalId });
    expect(after.events.map((x) => x.type)).not.toContain(WorkOrderEvents.GateRequested);
  });

  it("an approval of a single waiting action never covers an overlay", () => {
    const e = new Engagement();
    const send = e.action('email', 'send'); // the overlay opens its gate; approve it, then the rule's own wait follows
    e.resolve((send.events.find((x) => x.type === WorkOrderEvents.GateRequested)!.data as GateRequestedData).approvalId, 'approved');
    const waiting = e.action('email', 'send');
    expect(waiting.answer).toMatchObject({ decision: 'wait', rule: 'external-send-waits' });
    e.resolve(waiting.answer.approvalId!, 'approved');
    expect(gateOf(e.open, 'external-send', 'original')?.source.actionId).toBe(waiting.data.actionId);
    expect(gateOf(e.open, 'external-send', 'original', { gatesOnly: true })).toBeUndefined();
  });

  it('an open gate blocks closure', () => {
    const { e } = Engagement.atDelivery();
    const refused = e.refusal({ type: 'close', body: { closureEvidenceId: 'ACC-1', evidence: [{ kind: 'acceptance-record', ref: 'ACC-1' }] } });
    expect(refused.code).toBe('open_blockers');
    expect(refused.details).toEqual([expect.stringMatching(/^security approval .* is conditional: R-03 open \(security-lead closes\)$/)]);
  });
});

describe('scope changes', () => {
  it('opens draft-only change-order and security tracks; earlier approvals stay with the original scope', () => {
    const { e } = Engagement.atDelivery();
    const events = e.run({ type: 'change-scope', body: { add: [REFUND], reason: 'client asks for refund recommendations' } });
    expect(events.map((x) => x.type)).toEqual([WorkOrderEvents.GateRequested, WorkOrderEvents.GateRequested, WorkOrderEvents.ScopeChangeRequested]);
    const answer = answerOf(events[2], e.open) as ScopeChangeAnswer;
    expect(answer.tracks).toEqual([
      expect.objectContaining({ kind: 'change-order', status: 'requested', mode: 'draft-only', owner: 'engagement-lead', scope: REFUND, blockers: [expect.stringContaining('engagement-lead decides')] }),
      expect.objectContaining({ kind: 'security', status: 'requested', mode: 'draft-only', owner: 'security-lead', scope: REFUND, blockers: [expect.stringContaining('security-lead decides')] }),
    ]);
    // The original scope's security approval is still the conditional one; the new track is not it.
    expect(describeStatus(gateOf(e.open, 'security', 'original'))).toBe('conditional (R-03 open)');
  });

  it('stops actions in the added scope with scope_not_approved until every track is approved, naming the owner', () => {
    const { e, security } = Engagement.atDelivery();
    e.resolve(security.approvalId, 'approved');
    const change = e.run({ type: 'change-scope', body: { add: [REFUND], reason: 'refunds' } });
    const [changeOrder, review] = change.filter((x) => x.type === WorkOrderEvents.GateRequested).map((x) => x.data as GateRequestedData);
    const first = e.action(REFUND.system, REFUND.operation);
    expect(first.answer).toMatchObject({ decision: 'stop', reason: 'scope_not_approved', decisionOwner: 'engagement-lead', approvalId: changeOrder.approvalId });
    // Work inside the original scope goes on (the original security approval is approved).
    expect(e.action('support-desk', 'ticket.triage').answer.decision).toBe('run');
    e.resolve(changeOrder.approvalId, 'approved');
    expect(e.action(REFUND.system, REFUND.operation).answer).toMatchObject({ reason: 'scope_not_approved', decisionOwner: 'security-lead', approvalId: review.approvalId });
    e.resolve(review.approvalId, 'approved');
    expect(approvedAddedScope(e.open)).toEqual([REFUND]);
    expect(e.action(REFUND.system, REFUND.operation).answer).toMatchObject({ decision: 'run', reason: 'inside_boundary' });
    expect(scopeChangeTracks(e.open, (change[2].data as { scopeChangeId: string }).scopeChangeId).map((t) => t.mode)).toEqual(['approved', 'approved']);
  });

  it('an approved original-scope security review does not cover the added scope', () => {
    const { e, security } = Engagement.atDelivery();
    e.resolve(security.approvalId, 'approved');
    e.run({ type: 'change-scope', body: { add: [REFUND], reason: 'refunds' } });
    expect(gateOf(e.open, 'security', 'original')?.status).toBe('approved');
    expect(e.action(REFUND.system, REFUND.operation).answer.reason).toBe('scope_not_approved');
  });

  it('gives each added class its own tracks, however the list repeats itself; a review of one class never covers another', () => {
    const { e, security } = Engagement.atDelivery();
    e.resolve(security.approvalId, 'approved');
    const OTHER = { system: 'crm', operation: 'contact.export', kind: 'write' as const };
    const change = e.run({ type: 'change-scope', body: { add: [OTHER, OTHER, REFUND, { ...REFUND, kind: 'read' }], reason: 'mixed' } });
    const tracks = change.filter((x) => x.type === WorkOrderEvents.GateRequested).map((x) => x.data as GateRequestedData);
    expect(tracks.map((t) => [t.kind, t.action.operation])).toEqual([['change-order', 'contact.export'], ['change-order', 'refund.recommend'], ['security', 'refund.recommend']]);
    for (const t of tracks.filter((x) => x.action.operation === 'contact.export')) e.resolve(t.approvalId, 'approved');
    e.resolve(tracks[1].approvalId, 'approved');
    expect(e.action(REFUND.system, REFUND.operation).answer).toMatchObject({ reason: 'scope_not_approved', decisionOwner: 'security-lead' });
  });

  it('declaring a write as a read does not slip past a scope change', () => {
    const { e, security } = Engagement.atDelivery();
    e.resolve(security.approvalId, 'approved');
    e.run({ type: 'change-scope', body: { add: [REFUND], reason: 'refunds' } });
    expect(e.action(REFUND.system, REFUND.operation, 'read').answer.reason).toBe('scope_not_approved');
  });

  it('refuses a scope change for what a rule already lets wait for its owner', () => {
    const { e } = Engagement.atDelivery();
    const refused = e.refusal({ type: 'change-scope', body: { add: [{ system: 'email', operation: 'send', kind: 'write' }], reason: 'x' } });
    expect(refused.code).toBe('already_in_scope');
  });

  it('refuses scope already inside the boundary, and a second change for scope awaiting approval', () => {
    const { e } = Engagement.atDelivery();
    const inside = e.refusal({ type: 'change-scope', body: { add: [{ system: 'crm', operation: 'note', kind: 'write' }], reason: 'x' } });
    expect(inside.code).toBe('already_in_scope');
    e.run({ type: 'change-scope', body: { add: [REFUND], reason: 'refunds' } });
    expect(e.refusal({ type: 'change-scope', body: { add: [REFUND], reason: 'again' } }).code).toBe('scope_change_pending');
  });

  it('a rejected change order keeps the scope shut and can be asked again', () => {
    const { e } = Engagement.atDelivery();
    const change = e.run({ type: 'change-scope', body: { add: [REFUND], reason: 'refunds' } });
    const tracks = change.filter((x) => x.type === WorkOrderEvents.GateRequested).map((x) => x.data as GateRequestedData);
    for (const t of tracks) e.resolve(t.approvalId, 'rejected');
    expect(e.action(REFUND.system, REFUND.operation).answer.reason).toBe('scope_not_approved');
    expect(e.run({ type: 'change-scope', body: { add: [REFUND], reason: 'asked again' } }).map((x) => x.type)).toContain(WorkOrderEvents.ScopeChangeRequested);
  });

  it('a retried scope change answers as the first time and records nothing', () => {
    const { e } = Engagement.atDelivery();
    const meta: CommandMeta = { commandId: 'scope-1', actor: 'op-1', now: NOW, channel: 'http' };
    const command: WorkOrderCommand = { type: 'change-scope', body: { add: [REFUND], reason: 'refunds' } };
    const ctx = { workOrderId: 'wo-1', definition, policy, catalog, durationMs: parseDuration, scopeItems: [{ outsideBoundary: true, overlays: ['security-review'] }] };
    const events = decideWorkOrder(command, e.state, meta, ctx);
    const after = events.reduce(evolveWorkOrder, e.state);
    expect(decideWorkOrder(command, after, meta, ctx)).toEqual([]);
  });
});

describe('approval conditions on the work order', () => {
  it('ignores a condition update older than the one it shows (they travel concurrently)', () => {
    const { e, security } = Engagement.atDelivery();
    const update = (openConditions: string[], approvalVersion: number) =>
      e.run({ type: 'resolve-approval', body: { approvalId: security.approvalId, outcome: 'conditional', openConditions, approvalVersion } });
    expect(update(['R-04'], 3).map((x) => x.type)).toEqual([WorkOrderEvents.ApprovalConditional]);
    expect(update(['R-03', 'R-04'], 2)).toEqual([]);
    expect(describeStatus(gateOf(e.open, 'security', 'original'))).toBe('conditional (R-04 open)');
  });

  it('follows conditions as they close, and ignores an outcome already applied', () => {
    const { e, security } = Engagement.atDelivery();
    expect(e.resolve(security.approvalId, 'conditional', ['R-03']).length).toBe(0);
    e.resolve(security.approvalId, 'conditional', ['R-03', 'R-04'].slice(1));
    expect(describeStatus(gateOf(e.open, 'security', 'original'))).toBe('conditional (R-04 open)');
    e.resolve(security.approvalId, 'approved');
    expect(e.resolve(security.approvalId, 'approved')).toEqual([]);
    expect(e.resolve(security.approvalId, 'conditional', ['late'])).toEqual([]);
  });
});
