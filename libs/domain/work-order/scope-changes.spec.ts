import { answerWith, eventOfType } from './work-order.fixtures';
/** Scope changes and the approvals they bring (docs/lifecycle.md, Scope changes) over the shipped engagement-lifecycle workflow. */
import { WorkOrderCommand } from './commands';
import { answerOf } from './answers';
import { Engagement, REFUND, requestedTracks } from './engagement.fixtures';
import { approvedAddedScope, describeStatus, gateOf } from './lifecycle';
import { scopeChangeTracks } from './handoff';

describe('scope changes', () => {
  it('opens draft-only change-order and security tracks; earlier approvals stay with the original scope', () => {
    const { e } = Engagement.atDelivery();
    const events = e.run({
      type: 'ChangeScope',
      add: [REFUND],
      reason: 'client asks for refund recommendations',
    });
    expect(events.map((x) => x.type)).toEqual(['GateRequested', 'GateRequested', 'ScopeChangeRequested']);
    const answer = answerWith(answerOf(events[2], e.open), 'scopeChangeId');
    expect(answer.tracks).toEqual(requestedTracks(REFUND));
    // The original scope's security approval is still the conditional one; the new track is not it.
    expect(describeStatus(gateOf(e.open, 'security', 'original'))).toBe('conditional (R-03 open)');
  });

  it('stops actions in the added scope with scope_not_approved until every track is approved, naming the owner', () => {
    const { e, security } = Engagement.atDelivery();
    e.resolve(security.approvalId, 'approved');
    const change = e.run({ type: 'ChangeScope', add: [REFUND], reason: 'refunds' });
    const [changeOrder, review] = Engagement.gates(change);
    const first = e.action(REFUND.system, REFUND.operation);
    expect(first.answer).toMatchObject({
      decision: 'stop',
      reason: 'scope_not_approved',
      decisionOwner: 'engagement-lead',
      approvalId: changeOrder.approvalId,
    });
    // Work inside the original scope goes on (the original security approval is approved).
    expect(e.action('support-desk', 'ticket.triage').answer.decision).toBe('run');
    e.resolve(changeOrder.approvalId, 'approved');
    expect(e.action(REFUND.system, REFUND.operation).answer).toMatchObject({
      reason: 'scope_not_approved',
      decisionOwner: 'security-lead',
      approvalId: review.approvalId,
    });
    e.resolve(review.approvalId, 'approved');
    expect(approvedAddedScope(e.open)).toEqual([REFUND]);
    expect(e.action(REFUND.system, REFUND.operation).answer).toMatchObject({
      decision: 'run',
      reason: 'inside_boundary',
    });
    expect(
      scopeChangeTracks(e.open, eventOfType(change[2], 'ScopeChangeRequested').data.scopeChangeId).map((t) => t.mode),
    ).toEqual(['approved', 'approved']);
  });

  it('an approved original-scope security review does not cover the added scope', () => {
    const { e, security } = Engagement.atDelivery();
    e.resolve(security.approvalId, 'approved');
    e.run({ type: 'ChangeScope', add: [REFUND], reason: 'refunds' });
    expect(gateOf(e.open, 'security', 'original')?.status).toBe('approved');
    expect(e.action(REFUND.system, REFUND.operation).answer.reason).toBe('scope_not_approved');
  });

  it('gives each added class its own tracks, however the list repeats itself; a review of one class never covers another', () => {
    const { e, security } = Engagement.atDelivery();
    e.resolve(security.approvalId, 'approved');
    const OTHER = { system: 'crm', operation: 'contact.export', kind: 'write' as const };
    const change = e.run({
      type: 'ChangeScope',
      add: [OTHER, OTHER, REFUND, { ...REFUND, kind: 'read' }],
      reason: 'mixed',
    });
    const tracks = Engagement.gates(change);
    expect(tracks.map((t) => [t.kind, t.action.operation])).toEqual([
      ['change-order', 'contact.export'],
      ['change-order', 'refund.recommend'],
      ['security', 'refund.recommend'],
    ]);
    for (const t of tracks.filter((x) => x.action.operation === 'contact.export')) e.resolve(t.approvalId, 'approved');
    e.resolve(tracks[1].approvalId, 'approved');
    expect(e.action(REFUND.system, REFUND.operation).answer).toMatchObject({
      reason: 'scope_not_approved',
      decisionOwner: 'security-lead',
    });
  });

  it('declaring a write as a read does not slip past a scope change', () => {
    const { e, security } = Engagement.atDelivery();
    e.resolve(security.approvalId, 'approved');
    e.run({ type: 'ChangeScope', add: [REFUND], reason: 'refunds' });
    expect(e.action(REFUND.system, REFUND.operation, 'read').answer.reason).toBe('scope_not_approved');
  });

  it('refuses a scope change for what a rule already lets wait for its owner', () => {
    const { e } = Engagement.atDelivery();
    const refused = e.refusal({
      type: 'ChangeScope',
      add: [{ system: 'email', operation: 'send', kind: 'write' }],
      reason: 'x',
    });
    expect(refused.code).toBe('already_in_scope');
  });

  it('refuses scope already inside the boundary, and a second change for scope awaiting approval', () => {
    const { e } = Engagement.atDelivery();
    const inside = e.refusal({
      type: 'ChangeScope',
      add: [{ system: 'crm', operation: 'note', kind: 'write' }],
      reason: 'x',
    });
    expect(inside.code).toBe('already_in_scope');
    e.run({ type: 'ChangeScope', add: [REFUND], reason: 'refunds' });
    expect(e.refusal({ type: 'ChangeScope', add: [REFUND], reason: 'again' }).code).toBe('scope_change_pending');
  });

  it('a rejected change order keeps the scope shut and can be asked again', () => {
    const { e } = Engagement.atDelivery();
    const change = e.run({ type: 'ChangeScope', add: [REFUND], reason: 'refunds' });
    const tracks = Engagement.gates(change);
    for (const t of tracks) e.resolve(t.approvalId, 'rejected');
    expect(e.action(REFUND.system, REFUND.operation).answer.reason).toBe('scope_not_approved');
    expect(e.run({ type: 'ChangeScope', add: [REFUND], reason: 'asked again' }).map((x) => x.type)).toContain(
      'ScopeChangeRequested',
    );
  });

  it('a retried scope change answers as the first time and records nothing', () => {
    const { e } = Engagement.atDelivery();
    const command: WorkOrderCommand = { type: 'ChangeScope', add: [REFUND], reason: 'refunds' };
    const events = e.run(command, 'op-1', 'scope-1');
    expect(e.decide(command, 'op-1', 'scope-1')).toEqual([]);
    expect(answerOf(e.open.handled.get('scope-1')!, e.open)).toEqual(answerOf(events[events.length - 1], e.open));
  });
});

describe('approval conditions on the work order', () => {
  it('ignores a condition update older than the one it shows (they travel concurrently)', () => {
    const { e, security } = Engagement.atDelivery();
    const update = (openConditions: string[], approvalVersion: number) =>
      e.run({
        type: 'ApplyApprovalOutcome',
        approvalId: security.approvalId,
        outcome: 'conditional',
        openConditions,
        approvalVersion,
      });
    expect(update(['R-04'], 3).map((x) => x.type)).toEqual(['ApprovalConditional']);
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
